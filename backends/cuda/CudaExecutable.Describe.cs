using System.Text;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Ir;

namespace Pixelfly.Backends.Cuda;

// The human-readable summary: the device, the memory plan, every value's storage, every step with its grid and
// arguments, and the compiled kernels (target, NVRTC options, cache).
public sealed partial class CudaExecutable
{
    /// <inheritdoc/>
    public string Describe()
    {
        var p = _program;
        var plan = p.Plan;
        var f = _device.Context.Facts;
        var F = CachingAllocator.Format;
        var sb = new StringBuilder();
        sb.AppendLine($"cuda executable on {f.Id} ({f.Name}, sm_{f.ComputeCapability}): {Graph.Nodes.Count} nodes -> {p.LaunchCount} launches, {p.CopyCount} copies, " +
                      (_useGraphs ? $"replayed as a CUDA graph ({GraphCount} captured)"
                          : _syncEachStep ? "launched one by one, waiting after each (cuda.sync)" : "launched one by one (cuda.graphs disabled)"));
        sb.AppendLine($"memory plan: arena {F(plan.ArenaSize)} in {plan.ArenaSlotSizes.Length} slot(s) for {plan.ArenaValues} value(s) ({plan.SlotReuses} reuse(s)), " +
                      $"{plan.AliasedNodes.Count(a => a)} alias(es), constants+tables {F(p.ConstantPool.Length)} ({p.TableCount} table(s)), scratch {F(p.ScratchBytes)}");
        foreach (var v in Graph.Values)
        {
            string kind = v.Kind == ValueKind.Node ? $"#{v.Producer} {Graph.Nodes[v.Producer].Op.Name}" : v.Kind.ToString().ToLowerInvariant();
            sb.AppendLine($"  {kind} {v.Name} {v.Type} @ {plan.Storage[v.Id]}{(plan.Root[v.Id] != v.Id ? $" (alias of {Graph.Values[plan.Root[v.Id]].Name})" : "")}");
        }
        foreach (var step in p.Steps)
        {
            if (step is LaunchStep l)
            {
                var k = l.Launch;
                sb.AppendLine($"  {k.Label}: {k.Variant.Key} {k.Function} grid {k.Grid.X}x{k.Grid.Y}x{k.Grid.Z} block {k.Block.X}x{k.Block.Y}x{k.Block.Z}" +
                              $"{(k.DynamicSharedBytes > 0 ? $" shared {k.DynamicSharedBytes} B" : "")} ({string.Join(", ", l.Args)})");
            }
            else if (step is CopyStep c)
            {
                sb.AppendLine($"  copy {F(c.Bytes)} {c.From} -> {c.To}: {c.Text}");
            }
        }
        var kernels = _functions.OfType<LoadedFunction>().Select(x => x.Kernel).DistinctBy(k => k.CacheKey).ToArray();
        sb.AppendLine($"kernels: {kernels.Length} module(s), NVRTC {kernels.FirstOrDefault()?.NvrtcVersion ?? "-"}");
        foreach (var k in kernels) sb.AppendLine($"  {k.Describe()}: {string.Join(" ", k.Options)}");
        return sb.ToString();
    }
}
