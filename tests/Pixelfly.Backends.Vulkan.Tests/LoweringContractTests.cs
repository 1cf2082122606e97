using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Tests;

/// <summary>The runtime checks what lowering hands it: bad dispatches fail at compile time with the node named.</summary>
public sealed class LoweringContractTests(int index) : VulkanFixture(index)
{
    /// <summary>The built-in lowering with each node's dispatches passed through a mutation (or an exception).</summary>
    private sealed class MutatedLowering(Func<Dispatch, Dispatch> mutate) : IVulkanLowering
    {
        public ShaderLibrary Shaders => BuiltInLowering.Instance.Shaders;

        public Support Supports(Op op, IReadOnlyList<TensorType> inputTypes) => BuiltInLowering.Instance.Supports(op, inputTypes);

        public IReadOnlyList<Dispatch> Lower(LoweringContext context) => BuiltInLowering.Instance.Lower(context).Select(mutate).ToArray();

        public Dispatch Import(BufferArg packed, BufferArg wide, DType dtype, long count, LoweringLimits limits) =>
            BuiltInLowering.Instance.Import(packed, wide, dtype, count, limits);

        public Dispatch Export(BufferArg wide, BufferArg packed, DType dtype, long count, LoweringLimits limits) =>
            BuiltInLowering.Instance.Export(wide, packed, dtype, count, limits);
    }

    private static Graph NegGraph()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 8);
        b.Output("y", b.Neg(b.Exp(x)));
        return b.Build();
    }

    private Exception CompileWith(Func<Dispatch, Dispatch> mutate)
    {
        using var device = new VulkanDevice(Index, DeviceOptions.None, validation: true, new MutatedLowering(mutate));
        try
        {
            return Assert.Catch(() => device.Compile(NegGraph()).Dispose());
        }
        finally
        {
            device.Dispose();
            Assert.That(device.TakeValidationMessages(), Is.Empty);
        }
    }

    [Test]
    public void The_unmodified_lowering_compiles_and_runs()
    {
        using var device = new VulkanDevice(Index, DeviceOptions.None, validation: true, new MutatedLowering(d => d));
        using var exe = device.Compile(NegGraph());
        var x = TestSupport.RandomTensor(1, 8);
        var y = TestSupport.AsFloats(TestSupport.Run(exe, device, new() { ["x"] = x })["y"]);
        Assert.That(y, Is.EqualTo(TestSupport.AsFloats(x).Select(v => -MathF.Exp(v))).Within(1e-5f));
        Assert.That(device.TakeValidationMessages(), Is.Empty);
    }

    [Test]
    public void A_lowering_failure_is_an_unsupported_op_naming_the_node()
    {
        var e = CompileWith(_ => throw new NotSupportedException("no kernel for this shape"));
        Assert.That(e, Is.InstanceOf<UnsupportedOpException>());
        Assert.That(e.Message, Does.Contain("node 0").And.Contain("exp").And.Contain("no kernel for this shape"));
    }

    [Test]
    public void A_binding_larger_than_its_storage_is_rejected()
    {
        var e = CompileWith(d => d with { Buffers = d.Buffers.Select(a => a.Kind == BufferArgKind.Value ? a with { Words = a.Words + 100 } : a).ToArray() });
        Assert.That(e.Message, Does.Contain("binds 108 words").And.Contain("holds 8"));
    }

    [Test]
    public void An_empty_or_oversized_grid_is_rejected()
    {
        Assert.That(CompileWith(d => d with { GroupsX = 0 }).Message, Does.Contain("empty grid"));
        Assert.That(CompileWith(d => d with { GroupsZ = uint.MaxValue }).Message, Does.Contain("workgroups"));
    }

    [Test]
    public void A_missing_shader_names_the_build_script()
    {
        var e = CompileWith(d => d with { Shader = "no_such_shader" });
        Assert.That(e.Message, Does.Contain("no_such_shader").And.Contain("build-shaders.sh"));
    }

    [Test]
    public void Push_constants_beyond_128_bytes_are_rejected()
    {
        var e = CompileWith(d => d with { Push = new byte[132] });
        Assert.That(e.Message, Does.Contain("128"));
    }
}
