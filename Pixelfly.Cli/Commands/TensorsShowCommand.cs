using System.Text;
using Pixelfly.Cli.Formatting;
using Pixelfly.Cli.Parsing;
using Pixelfly.IO;
using Pixelfly.Tensors;

namespace Pixelfly.Cli.Commands;

/// <summary>`pixelfly tensors show`: names, dtypes, shapes, the first values and min/max/mean of a safetensors file.</summary>
internal sealed class TensorsShowCommand : ICommand
{
    private const int DefaultValues = 8;

    public CommandSpec Spec { get; } = new(
        "tensors show",
        "list the tensors of a safetensors file with their first values and min/max/mean",
        ["FILE"],
        [new OptionSpec("values", "N", $"how many leading values to print per tensor (default {DefaultValues}, 0 for none)")],
        """
        min, max and mean are over the finite elements; NaN and infinite elements are counted separately.

        example: pixelfly tensors show out.safetensors
        """);

    public int Execute(ParsedArguments args, CommandContext context)
    {
        string path = args.Positional(0);
        int shown = args.Int("values") ?? DefaultValues;
        if (shown < 0)
            throw new UsageException($"option '--values' must be >= 0, got {shown}");
        SafetensorsFile file;
        try
        {
            file = Safetensors.ReadWithMetadata(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read tensor file '{path}': {e.Message}", e);
        }

        var o = context.Out;
        long bytes = file.Tensors.Values.Sum(t => t.Data.LongLength);
        o.WriteLine($"{path}: {file.Tensors.Count} tensor(s), {bytes} bytes of data");
        foreach (var (k, v) in file.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            o.WriteLine($"  metadata {k} = {v}");
        foreach (var (name, tensor) in file.Tensors)
        {
            o.WriteLine($"{name}  {tensor.Type}  {Describe(tensor)}");
            if (shown > 0 && tensor.ElementCount > 0)
                o.WriteLine($"  {Leading(tensor, shown)}");
        }
        return Cli.ExitOk;
    }

    private static string Describe(HostTensor t)
    {
        if (t.ElementCount == 0) return "(empty)";
        var s = TensorStats.Of(t);
        var dtype = t.Type.DType;
        var sb = new StringBuilder();
        if (s.Finite > 0)
            sb.Append($"min {Numbers.Format(s.Min, dtype)}  max {Numbers.Format(s.Max, dtype)}  mean {Numbers.Short(s.Mean)}");
        else
            sb.Append("no finite values");
        if (s.NaNs > 0) sb.Append($"  NaN {s.NaNs}");
        if (s.Infinities > 0) sb.Append($"  inf {s.Infinities}");
        return sb.ToString();
    }

    private static string Leading(HostTensor t, int count)
    {
        var values = t.ToDoubles();
        var head = values.Take(count).Select(v => Numbers.Format(v, t.Type.DType));
        string more = values.Length > count ? $", ... ({values.Length - count} more)" : "";
        return $"[{string.Join(", ", head)}{more}]";
    }
}
