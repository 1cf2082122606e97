using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Tests;

public sealed class BindingSlotsTests
{
    [Test]
    public void Inputs_come_first_and_a_donating_output_writes_its_inputs_slot()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        var p = b.Parameter("p", DType.BF16, 4);
        b.Output("p_next", b.Neg(p), donates: "p");
        b.Output("y", b.Cast(x, DType.I32));
        var slots = new BindingSlots(b.Build());

        Assert.That(slots.InputSlot, Is.EquivalentTo(new Dictionary<string, int> { ["x"] = 0, ["p"] = 1 }));
        Assert.That(slots.OutputSlot, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(slots.Types.Select(t => t.DType), Is.EqualTo(new[] { DType.F32, DType.BF16, DType.BF16, DType.I32 }));
    }

    [Test]
    public void Bind_fills_every_slot_including_a_donating_outputs_own()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 4);
        b.Output("p_next", b.Neg(p), donates: "p");
        var slots = new BindingSlots(b.Build());
        using var tensor = new HostMemoryTensor(p.Type);

        var roles = slots.Bind(new Dictionary<string, IDeviceTensor> { ["p"] = tensor }, new Dictionary<string, IDeviceTensor> { ["p_next"] = tensor }, (_, role) => role);

        Assert.That(roles, Is.EqualTo(new[] { "output 'p_next'", "output 'p_next'" }));
    }
}
