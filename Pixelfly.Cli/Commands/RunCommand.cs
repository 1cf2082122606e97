using System.Diagnostics;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.Devices;
using Pixelfly.IO;
using Pixelfly.Ir.Json;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly run`: runs a saved graph on a device and writes its outputs to a safetensors file.</summary>
internal sealed class RunCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "run",
        "run a graph file (docs/ir.md) on a device; write its outputs to a safetensors file",
        ["GRAPH"],
        [
            new OptionSpec("inputs", "FILE", "safetensors file with every input and parameter (may be left out when the graph has none)"),
            new OptionSpec("output", "FILE", "safetensors file to write the graph's outputs to (written only when the run succeeds)", Required: true),
            new OptionSpec("device", "ID", "device id (cpu, ref, auto, ...); default: PIXELFLY_DEVICE, else auto"),
        ],
        """
        Every input and parameter of the graph must be in the inputs file with its declared dtype and shape,
        and the file must hold nothing else. `pixelfly tensors from-json` writes such a file from JSON.
        The output file is replaced atomically: a failed run leaves an existing file as it was.

        example: pixelfly run docs/examples/pixelfly-linear.graph.json --inputs inputs.safetensors --output out.safetensors
        """);

    public int Execute(ParsedArguments args, CommandContext context)
    {
        string graphPath = args.Positional(0);
        string outputPath = args.Value("output")!;
        string? inputsPath = args.Value("inputs");
        // Fail before the (possibly long) run, not when writing its result.
        OutputFiles.CheckWritable(outputPath, "--output");

        var graph = GraphJson.Load(graphPath);
        IReadOnlyDictionary<string, HostTensor> inputs;
        if (inputsPath is not null)
            inputs = ReadTensors(inputsPath);
        else if (graph.Bindable.Any())
            throw new CliException($"the graph binds {string.Join(", ", graph.Bindable.Select(v => $"'{v.Name}' {v.Type}"))}: pass them with --inputs FILE");
        else
            inputs = new Dictionary<string, HostTensor>();
        GraphInputCheck.Validate(graph, inputs, inputsPath ?? "(no inputs)");

        using var device = BackendRegistry.OpenDefault(args.Value("device"), log: context.Error.WriteLine);
        var clock = Stopwatch.StartNew();
        using var exe = device.Compile(graph);
        double compileMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Dictionary<string, HostTensor> outputs;
        try
        {
            outputs = exe.RunOnHost(inputs);
        }
        catch (ExecutionException e)
        {
            throw new CliException($"the run failed on device '{device.Info.Id}': {e.Message}", e);
        }
        double runMs = clock.Elapsed.TotalMilliseconds;

        Safetensors.Write(outputPath, outputs, new Dictionary<string, string>
        {
            ["producer"] = "pixelfly run",
            ["device"] = device.Info.Id,
            ["graph"] = Path.GetFileName(graphPath),
        });

        var o = context.Out;
        o.WriteLine($"device: {device.Info.Id} ({device.Info.Name})");
        o.WriteLine($"graph: {graphPath}: {graph.Nodes.Count} node(s), {graph.Bindable.Count()} bound tensor(s)");
        o.WriteLine($"time: compile {Numbers.Millis(compileMs)}, run {Numbers.Millis(runMs)} (including transfers)");
        o.WriteLine($"wrote {outputs.Count} output(s) to {outputPath}:");
        var table = new TextTable("NAME", "TYPE", "DONATES");
        foreach (var g in graph.Outputs)
            table.Add(g.Name, outputs[g.Name].Type.ToString(), g.Donates ?? "");
        table.Write(o, "  ");
        foreach (var (name, tensor) in outputs)
        {
            var stats = TensorStats.Of(tensor);
            if (stats.NaNs + stats.Infinities > 0)
                context.Error.WriteLine($"warning: output '{name}' holds {stats.NaNs} NaN and {stats.Infinities} infinite value(s)");
        }
        return Cli.ExitOk;
    }

    /// <summary>Reads a safetensors file; a missing or unreadable file is a <see cref="CliException"/> naming it.</summary>
    internal static IReadOnlyDictionary<string, HostTensor> ReadTensors(string path)
    {
        try
        {
            return Safetensors.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read tensor file '{path}': {e.Message}", e);
        }
    }
}
