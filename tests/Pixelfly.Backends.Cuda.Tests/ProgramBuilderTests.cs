using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Runtime;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>Lowering a planned graph into steps with resolved addresses, with a fake lowering (no device).</summary>
public sealed class ProgramBuilderTests
{
    private static CudaProgram Build(Graph g, FakeLowering lowering, CudaLoweringLimits? limits = null)
    {
        var (inputSlot, outputSlot) = MemoryPlannerTests.Slots(g);
        var plan = Planning.CudaMemoryPlanner.Plan(g, inputSlot, outputSlot);
        return CudaProgramBuilder.Build(g, lowering, limits ?? CudaLoweringLimits.H100, plan, outputSlot);
    }

    [Test]
    public void Values_resolve_to_bound_tensors_arena_slots_and_output_tensors()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 64);
        var e = b.Exp(x);
        b.Output("y", b.Neg(e));
        var g = b.Build();
        var program = Build(g, new FakeLowering());

        var steps = program.Steps.Cast<LaunchStep>().ToArray();
        Assert.That(steps, Has.Length.EqualTo(2));
        Assert.That(steps[0].Args[0].Address, Is.EqualTo(new DeviceAddress(Region.Bound, 0, 0)), "x is bound slot 0");
        Assert.That(steps[0].Args[1].Address, Is.EqualTo(new DeviceAddress(Region.Arena, -1, 0)), "exp(x) lives in the arena");
        Assert.That(steps[1].Args[1].Address, Is.EqualTo(new DeviceAddress(Region.Bound, 1, 0)), "the output is written in place");
        Assert.That(steps[0].Args[2].Address.Region, Is.EqualTo(Region.Status));
        Assert.That(steps[0].Args[3].Integer, Is.EqualTo(1), "the node tag");
        Assert.That(program.CopyCount, Is.Zero);
    }

    [Test]
    public void Aliased_reshapes_are_not_lowered()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 2, 3);
        b.Output("y", b.Neg(b.Reshape(b.Exp(x), 6)));
        var lowering = new FakeLowering();
        var program = Build(b.Build(), lowering);
        Assert.That(lowering.LoweredNodes, Is.EqualTo(new[] { 0, 2 }));
        Assert.That(program.LaunchCount, Is.EqualTo(2));
    }

    [Test]
    public void Scratch_slots_share_one_region_and_take_each_slot_at_its_largest()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8);
        b.Output("y", b.Neg(b.Exp(x)));
        var lowering = new FakeLowering
        {
            Custom = c => c.Node.Index == 0
                ? [FakeLowering.Launch("a", [LaunchArg.Scratch(0, 1000), LaunchArg.Scratch(1, 10)], "a"), FakeLowering.Launch("b", [LaunchArg.Scratch(0, 3000)], "b")]
                : [FakeLowering.Launch("c", [LaunchArg.Scratch(0, 100), LaunchArg.Value(c.Node.Outputs[0], 16)], "c")],
        };
        var program = Build(b.Build(), lowering);
        var steps = program.Steps.Cast<LaunchStep>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(steps[0].Args[1].Address, Is.EqualTo(new DeviceAddress(Region.Scratch, -1, 3072)), "slot 1 after slot 0 at its largest (3000 → 3072)");
            Assert.That(steps[1].Args[0].Address.Offset, Is.Zero);
            Assert.That(steps[2].Args[0].Address.Offset, Is.Zero, "the next node reuses the region from 0");
            Assert.That(steps[2].Args[1].Address, Is.EqualTo(new DeviceAddress(Region.Bound, 1, 16)), "byte offsets into a value are kept");
            Assert.That(program.ScratchBytes, Is.EqualTo(3072 + 256));
        });
    }

    [Test]
    public void Identical_tables_are_stored_once_after_the_constants()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        var k = b.Constant("k", HostTensor.FromFloats([1, 2, 3, 4], 4));
        b.Output("y", b.Neg(b.Add(x, k)));
        var lowering = new FakeLowering
        {
            Custom = c => [FakeLowering.Launch("t", [LaunchArg.TableOf([1, 2, 3]), LaunchArg.TableOf(c.Node.Index == 0 ? [1, 2, 3] : [7])], "t")],
        };
        var program = Build(b.Build(), lowering);
        var args = program.Steps.Cast<LaunchStep>().SelectMany(s => s.Args).Select(a => a.Address.Offset).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(program.ConstantOffsets, Is.EqualTo(new long[] { 0 }));
            Assert.That(args, Is.EqualTo(new long[] { 256, 256, 256, 512 }));
            Assert.That(program.TableCount, Is.EqualTo(2));
            Assert.That(program.ConstantPool.Length, Is.EqualTo(768));
            Assert.That(BitConverter.ToSingle(program.ConstantPool, 12), Is.EqualTo(4f), "constants are native little-endian bytes");
            Assert.That(BitConverter.ToInt32(program.ConstantPool, 512), Is.EqualTo(7));
        });
    }

    [Test]
    public void Exports_read_every_input_before_writing_any_donated_tensor()
    {
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 4);
        var y = b.Parameter("y", DType.F32, 4);
        var z = b.Exp(x);
        b.Output("x_next", y, donates: "x");
        b.Output("y_next", z, donates: "y");
        b.Output("x_copy", x);
        var program = Build(b.Build(), new FakeLowering());
        var copies = program.Steps.OfType<CopyStep>().ToArray();

        // Reads of x and y (snapshot, pass-through) come before the writes into x's and y's tensors.
        int firstWrite = Array.FindIndex(copies, c => c.To.Region == Region.Bound && c.To.Slot is 0 or 1);
        int lastRead = Array.FindLastIndex(copies, c => c.From.Region == Region.Bound && c.From.Slot is 0 or 1);
        Assert.That(copies, Has.Length.EqualTo(4));
        Assert.That(lastRead, Is.LessThan(firstWrite), string.Join("\n", copies.Select(c => c.Text)));
        Assert.That(copies.All(c => c.Bytes == 16), Is.True);
    }

    [Test]
    public void A_launch_outside_the_device_limits_is_a_compile_error_naming_it()
    {
        var b = new GraphBuilder();
        b.Output("y", b.Neg(b.Input("x", DType.F32, 4)));
        var g = b.Build();
        Assert.Multiple(() =>
        {
            var big = new FakeLowering { Custom = c => [FakeLowering.Launch("k", [], "big block", block: (2048, 1, 1))] };
            Assert.That(() => Build(g, big), Throws.InvalidOperationException.With.Message.Contains("2048 threads").And.Message.Contains("big block"));
            var empty = new FakeLowering { Custom = c => [FakeLowering.Launch("k", [], "empty grid", grid: (0, 1, 1))] };
            Assert.That(() => Build(g, empty), Throws.InvalidOperationException.With.Message.Contains("grid 0x1x1"));
            var shared = new FakeLowering { Custom = c => [FakeLowering.Launch("k", [], "greedy", shared: 300_000)] };
            Assert.That(() => Build(g, shared), Throws.InvalidOperationException.With.Message.Contains("300000 bytes of dynamic shared memory"));
            var stray = new FakeLowering { Custom = c => [FakeLowering.Launch("k", [LaunchArg.Value(99)], "stray")] };
            Assert.That(() => Build(g, stray), Throws.InvalidOperationException.With.Message.Contains("value 99"));
        });
    }
}
