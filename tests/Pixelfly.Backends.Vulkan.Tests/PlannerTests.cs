using Pixelfly.Backends.Vulkan.Planning;
using Pixelfly.Devices;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>
/// The Vulkan sizing of the shared memory planner (no device): 32-bit words, f16/bf16 widened on import and packed on
/// export. The planner's liveness, aliasing and donation rules are pinned in Pixelfly.Abstractions.Tests.
/// </summary>
public sealed class PlannerTests
{
    private static LivenessMemoryPlan Plan(Graph g)
    {
        var slots = new BindingSlots(g);
        return VulkanMemoryPlanner.Plan(g, slots.InputSlot, slots.OutputSlot);
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
    public void A_donating_output_is_copied_as_words_and_a_bf16_output_is_packed()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 8);
        var next = b.Mul(p, b.Scalar(0.5));
        b.Output("p_next", next, donates: "p");
        b.Output("bf", b.Cast(next, DType.BF16));
        var g = b.Build();
        var plan = Plan(g);

        Assert.That(plan.Storage[next.Id].Kind, Is.EqualTo(StorageKind.Arena));
        Assert.That(plan.Exports.Select(e => e.Kind), Is.EqualTo(new[] { ExportKind.CopyValue, ExportKind.Pack }));
    }

    [Test]
    public void Slots_are_sized_in_32_bit_words()
    {
        var b = new GraphBuilder();
        var h = b.Input("h", DType.BF16, 3, 100);
        var w = b.Cast(h, DType.F32);
        b.Output("out", b.ReduceSum(b.Neg(w), [1]));
        var plan = Plan(b.Build());

        Assert.That(plan.ArenaSlotSizes, Has.All.EqualTo(300), "the imported bf16 input and every f32 intermediate take 300 words");
    }
}
