using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.IO;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly tensors from-json`: writes hand-written JSON tensors to a safetensors file (e.g. inputs for `run`).</summary>
internal sealed class TensorsFromJsonCommand : ICommand
{
    public CommandSpec Spec { get; } = new(
        "tensors from-json",
        "write tensors given as JSON to a safetensors file (inputs for `pixelfly run`)",
        ["IN.json"],
        [new OptionSpec("output", "FILE", "safetensors file to write", Required: true)],
        """
        IN.json maps tensor names to {"dtype": "f32", "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}.
        dtypes: f32, f16, bf16, i32, f64. data is flat and row-major with exactly as many values as the
        shape needs; values are rounded to the dtype (nearest even); i32 takes integers only; float
        dtypes also take "NaN", "Infinity" and "-Infinity". A scalar has shape [] and one value.

        example: pixelfly tensors from-json docs/examples/pixelfly-linear.inputs.json --output inputs.safetensors
        """);

    public int Execute(ParsedArguments args, CommandContext context)
    {
        string input = args.Positional(0);
        string output = args.Value("output")!;
        OutputFiles.CheckWritable(output, "--output");
        string json;
        try
        {
            json = File.ReadAllText(input);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read '{input}': {e.Message}", e);
        }
        var tensors = TensorJsonReader.Parse(json, input);
        Safetensors.Write(output, tensors);
        context.Out.WriteLine($"wrote {tensors.Count} tensor(s) to {output}:");
        var table = new TextTable("NAME", "TYPE");
        foreach (var (name, t) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
            table.Add(name, t.Type.ToString());
        table.Write(context.Out, "  ");
        return Cli.ExitOk;
    }
}
