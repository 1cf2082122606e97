using Pixelfly.Backends.Vulkan.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>The memory planner on its own (no device): liveness, in-place outputs, aliases and donation.</summary>
public sealed class PlannerTests
{
    private static VulkanMemoryPlan Plan(Graph g)
    {
        var inputSlot = g.Bindable.Select((v, i) => (v.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var outputSlot = g.Outputs.Select((o, i) => o.Donates is { } d ? inputSlot[d] : inputSlot.Count + i).ToArray();
        return VulkanMemoryPlanner.Plan(g, inputSlot, outputSlot);
    }

    [Test]
    public void No_node_writes_a_slot_that_one_of_its_inputs_occupies()
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
    public void Inputs_are_bound_directly_unless_they_need_widening()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8);
        var h = b.Input("h", DType.BF16, 8);
        var i = b.Input("i", DType.I32, 8);
        b.Output("y", b.Add(x, b.Cast(h, DType.F32)));
        b.Output("i_out", i);
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.Storage[x.Id].Kind, Is.EqualTo(StorageKind.Bound));
        Assert.That(plan.Storage[h.Id].Kind, Is.EqualTo(StorageKind.Import));
        Assert.That(plan.Imports, Is.EqualTo(new[] { h.Id }));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.None, ExportKind.CopyFromInput }));
    }

    [Test]
    public void A_donating_output_is_computed_in_the_arena_and_copied_after_every_read()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 8);
        var next = b.Mul(p, b.Scalar(0.5));
        b.Output("p_next", next, donates: "p");
        b.Output("bf", b.Cast(next, DType.BF16));
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.Storage[next.Id].Kind, Is.EqualTo(StorageKind.Arena));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.CopyWords, ExportKind.Pack }));
    }

    [Test]
    public void A_reshape_that_is_an_output_is_not_aliased()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 3);
        var e = b.Exp(x);
        b.Output("flat", b.Reshape(e, 6));
        b.Output("inner", b.Neg(b.Reshape(e, 3, 2)));
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.AliasedNodes, Is.EqualTo(new[] { false, false, true, false }));
    }
}
