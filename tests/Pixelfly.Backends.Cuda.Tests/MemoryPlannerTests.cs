using Pixelfly.Backends.Cuda.Planning;
using Pixelfly.Devices;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// The CUDA sizing of the shared memory planner (no device): native bytes, 256-byte alignment, nothing imported or
/// packed. The planner's liveness, aliasing and donation rules are pinned in Pixelfly.Abstractions.Tests.
/// </summary>
public sealed class MemoryPlannerTests
{
    /// <summary>The executable's binding numbering.</summary>
    internal static (IReadOnlyDictionary<string, int> InputSlot, int[] OutputSlot) Slots(Graph g)
    {
        var slots = new BindingSlots(g);
        return (slots.InputSlot, slots.OutputSlot);
    }

    internal static LivenessMemoryPlan Plan(Graph g)
    {
        var (inputSlot, outputSlot) = Slots(g);
        return CudaMemoryPlanner.Plan(g, inputSlot, outputSlot);
    }

    [Test]
    public void Slots_are_sized_in_native_bytes_and_aligned_to_256()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.BF16, 3, 100);
        var y = b.Neg(x);                      // 600 bytes of bf16 → one 768-byte slot
        var z = b.Cast(y, DType.F32);          // 1200 bytes → 1280
        b.Output("out", b.ReduceSum(z, [1]));
        var plan = Plan(b.Build());

        Assert.That(plan.ArenaSlotSizes, Is.EqualTo(new long[] { 768, 1280 }));
        Assert.That(plan.ArenaSlotOffsets, Is.EqualTo(new long[] { 0, 768 }));
        Assert.That(plan.ArenaSize, Is.EqualTo(2048));
        Assert.That(plan.Storage[x.Id], Is.EqualTo(new ValueStorage(StorageKind.Bound, -1, 0)));
    }

    [Test]
    public void Half_precision_values_are_read_and_written_natively()
    {
        var b = new GraphBuilder();
        var h = b.Input("h", DType.F16, 8);
        var n = b.Neg(h);
        b.Output("a", n);
        b.Output("b", n);
        var plan = Plan(b.Build());

        Assert.That(plan.Imports, Is.Empty);
        Assert.That(plan.Storage[n.Id].Kind, Is.EqualTo(StorageKind.Output));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.None, ExportKind.CopyValue }));
    }

    [Test]
    public void An_empty_value_still_gets_an_aligned_slot_of_its_own()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 0);
        b.Output("y", b.Neg(b.Exp(x)));
        var plan = Plan(b.Build());

        Assert.That(plan.ArenaSlotSizes, Is.EqualTo(new long[] { CudaMemoryPlanner.Alignment }));
    }
}
