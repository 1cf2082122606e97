using Pixelfly.Devices;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Tests.Planning;

/// <summary>The shared GPU memory planner on its own (no device): liveness, in-place outputs, aliases, donation.</summary>
public sealed class LivenessMemoryPlannerTests
{
    /// <summary>Bytes, every dtype native (as CUDA, without the alignment).</summary>
    private static readonly ArenaSizing Bytes = new() { SlotSize = t => t.ByteCount, SnapshotSize = t => t.ByteCount };

    /// <summary>Only f32 native (as Vulkan's words, sized in elements).</summary>
    private static readonly ArenaSizing F32Only = new()
    {
        SlotSize = t => t.Shape.ElementCount,
        SnapshotSize = t => t.ByteCount,
        IsNative = d => d == DType.F32,
    };

    private static LivenessMemoryPlan Plan(Graph g, ArenaSizing? sizing = null)
    {
        var slots = new BindingSlots(g);
        return LivenessMemoryPlanner.Plan(g, slots.InputSlot, slots.OutputSlot, sizing ?? Bytes);
    }

    [Test]
    public void No_node_writes_a_slot_that_one_of_its_inputs_occupies_and_dead_slots_are_reused()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 100);
        var a = b.Exp(x);
        var c = b.Tanh(a);
        var d = b.Add(a, c);
        var e = b.Neg(d);
        b.Output("y", b.Mul(e, d));
        var g = b.Build();
        var plan = Plan(g);

        foreach (var node in g.Nodes)
        {
            var inputSlots = node.Inputs.Select(i => plan.Storage[i]).Where(s => s.Kind == StorageKind.Arena).Select(s => s.Index).ToHashSet();
            foreach (int o in node.Outputs)
                if (plan.Storage[o].Kind == StorageKind.Arena)
                    Assert.That(inputSlots, Does.Not.Contain(plan.Storage[o].Index), $"node {node.Index} ({node.Op.Name})");
        }
        Assert.That(plan.SlotReuses, Is.GreaterThan(0), "e can reuse a dead slot");
        Assert.That(plan.Storage[g.Outputs[0].Value].Kind, Is.EqualTo(StorageKind.Output));
    }

    [Test]
    public void A_value_is_not_overwritten_while_a_later_node_still_reads_it()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 64);
        var a = b.Exp(x);
        var t = b.Tanh(a);
        var n = b.Neg(t);
        b.Output("y", b.Add(n, a));
        var g = b.Build();
        var plan = Plan(g);

        int slotA = plan.Storage[a.Id].Index;
        Assert.That(plan.Storage[t.Id].Index, Is.Not.EqualTo(slotA));
        Assert.That(plan.Storage[n.Id].Index, Is.Not.EqualTo(slotA));
        Assert.That(plan.Storage[g.Outputs[0].Value].Kind, Is.EqualTo(StorageKind.Output));
    }

    [Test]
    public void Slots_are_sized_by_the_backend_and_laid_out_back_to_back()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.BF16, 3, 100);
        var y = b.Neg(x);                      // 600 bytes of bf16
        var z = b.Cast(y, DType.F32);          // 1200 bytes
        b.Output("out", b.ReduceSum(z, [1]));
        var plan = Plan(b.Build());

        Assert.That(plan.ArenaSlotSizes, Is.EqualTo(new long[] { 600, 1200 }));
        Assert.That(plan.ArenaSlotOffsets, Is.EqualTo(new long[] { 0, 600 }));
        Assert.That(plan.ArenaSize, Is.EqualTo(1800));
        Assert.That(plan.Storage[x.Id], Is.EqualTo(new ValueStorage(StorageKind.Bound, -1, 0)));
        Assert.That(plan.Imports, Is.Empty);
    }

    [Test]
    public void A_reshape_aliases_its_input_unless_it_is_an_output()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 3);
        var e = b.Exp(x);
        b.Output("flat", b.Reshape(e, 6));
        var inner = b.Reshape(e, 3, 2);
        b.Output("inner", b.Neg(inner));
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.AliasedNodes, Is.EqualTo(new[] { false, false, true, false }));
        Assert.That(plan.Root[inner.Id], Is.EqualTo(e.Id));
        Assert.That(plan.Storage[inner.Id], Is.EqualTo(plan.Storage[e.Id]));
    }

    [Test]
    public void A_donating_output_is_computed_in_the_arena_and_copied_after_every_read()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 8);
        var next = b.Mul(p, b.Constant("half", HostTensor.FromFloats([0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f], 8)));
        b.Output("p_next", next, donates: "p");
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.Storage[next.Id].Kind, Is.EqualTo(StorageKind.Arena));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.CopyValue }));
        Assert.That(plan.Constants, Has.Length.EqualTo(1));
        Assert.That(plan.Storage[plan.Constants[0]].Kind, Is.EqualTo(StorageKind.Constant));
    }

    [Test]
    public void Pass_through_outputs_copy_from_the_input_and_swapped_donations_go_through_snapshots()
    {
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 4);
        var y = b.Parameter("y", DType.F32, 4);
        b.Output("x_next", y, donates: "x");
        b.Output("y_next", x, donates: "y");
        b.Output("x_copy", x);
        b.Output("y_same", y, donates: null);
        var plan = Plan(b.Build());

        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[]
        {
            ExportKind.CopyThroughSnapshot, ExportKind.CopyThroughSnapshot, ExportKind.CopyFromInput, ExportKind.CopyFromInput,
        }));
        Assert.That(plan.Exports[0].SnapshotSlot, Is.Not.EqualTo(plan.Exports[1].SnapshotSlot));
    }

    [Test]
    public void A_value_that_is_two_outputs_is_written_into_the_first_and_copied_into_the_second()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        var e = b.Exp(x);
        b.Output("a", e);
        b.Output("b", e);
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.Storage[e.Id], Is.EqualTo(new ValueStorage(StorageKind.Output, -1, 1)));
        Assert.That(plan.Exports.Select(x => x.Kind), Is.EqualTo(new[] { ExportKind.None, ExportKind.CopyValue }));
    }

    [Test]
    public void Non_native_inputs_are_imported_into_the_arena_and_non_native_results_are_packed()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8);
        var h = b.Input("h", DType.BF16, 8);
        var sum = b.Add(x, b.Cast(h, DType.F32));
        b.Output("y", sum);
        b.Output("bf", b.Cast(sum, DType.BF16));
        var g = b.Build();
        var plan = Plan(g, F32Only);

        Assert.That(plan.Storage[x.Id].Kind, Is.EqualTo(StorageKind.Bound));
        Assert.That(plan.Storage[h.Id], Is.EqualTo(new ValueStorage(StorageKind.Import, plan.Storage[h.Id].Index, 1)));
        Assert.That(plan.Imports, Is.EqualTo(new[] { h.Id }));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.None, ExportKind.Pack }));
        Assert.That(plan.Storage[g.Outputs[1].Value].Kind, Is.EqualTo(StorageKind.Arena), "a packed result is not written into its output tensor");
    }
}
