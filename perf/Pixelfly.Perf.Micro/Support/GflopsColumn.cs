using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Pixelfly.Perf.Micro.Support;

/// <summary>
/// GFLOP/s of each benchmark (useful operations over the mean time) for classes that implement
/// <see cref="IFlopCounted"/>: the class is instantiated with the case's parameters and asked for its count.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => nameof(GflopsColumn);

    /// <inheritdoc/>
    public string ColumnName => "GFLOP/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => "Useful floating-point operations per second (nonzero blocks only for block-sparse cases)";

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var type = benchmarkCase.Descriptor.Type;
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is not > 0 || !typeof(IFlopCounted).IsAssignableFrom(type) || Activator.CreateInstance(type) is not IFlopCounted counted)
            return "-";
        foreach (var p in benchmarkCase.Parameters.Items)
        {
            if (type.GetProperty(p.Name) is { } property) property.SetValue(counted, p.Value);
            else type.GetField(p.Name)?.SetValue(counted, p.Value);
        }
        double flops = counted.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return (flops / meanNs.Value).ToString("0.0", CultureInfo.InvariantCulture); // operations per ns = GFLOP/s
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
