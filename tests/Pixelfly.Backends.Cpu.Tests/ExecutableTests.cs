using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Layouts;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Compilation, the memory plan, donation, bindings and determinism, on both SIMD paths.</summary>
public sealed class ExecutableTests(SimdPath path) : CpuFixture(path)
{
    [Test]
    public void A_chain_of_ten_elementwise_ops_reuses_buffers_and_writes_the_output_in_place()
    {
        var b = new GraphBuilder();
        var v = b.Input("x", DType.F32, 1000);
        for (int i = 0; i < 10; i++) v = i % 2 == 0 ? b.Tanh(v) : b.Neg(v);
        b.Output("y", v);
        // The planner on its own: with fusion the chain is one kernel and needs no arena (FusionTests).
        using var unfused = Open(Path, fusion: false);
        using var exe = (CpuExecutable)unfused.Compile(b.Build());

        var stats = exe.Stats;
        Assert.That(stats.Kernels, Is.EqualTo(10));
        Assert.That(stats.ArenaValues, Is.EqualTo(9), "nine intermediates; the last result goes straight to the output");
        Assert.That(stats.ArenaBuffers, Is.EqualTo(2), "intermediates ping-pong between two buffers");
        Assert.That(stats.BufferReuses, Is.EqualTo(7));
        Assert.That(stats.ArenaBytes, Is.EqualTo(2 * GemmAligned(1000) * 4));
        Assert.That(stats.DirectOutputs, Is.EqualTo(1));
        Assert.That(exe.Describe(), Does.Contain("2 buffer(s)").And.Contain("7 reuse(s)"));

        var x = RandomTensor(80, 1000);
        var y = TestSupport.Run(exe, unfused, new() { ["x"] = x })["y"];
        var expected = x.ToDoubles().Select(t =>
        {
            for (int i = 0; i < 10; i++) t = i % 2 == 0 ? Math.Tanh(t) : -t;
            return t;
        }).ToArray();
        AssertClose(expected, y, rtol: 1e-5, atol: 1e-6);
    }

    private static long GemmAligned(long floats) => (floats + 15) / 16 * 16;

    [Test]
    public void Buffers_are_not_reused_while_a_value_is_still_read()
    {
        // a feeds both b and the last node, so a's buffer must survive b and c.
        var g = new GraphBuilder();
        var x = g.Input("x", DType.F32, 64);
        var a = g.Exp(x);
        var bb = g.Tanh(a);
        var c = g.Neg(bb);
        g.Output("y", g.Add(c, a));
        using var unfused = Open(Path, fusion: false);
        using var exe = (CpuExecutable)unfused.Compile(g.Build());
        var tx = RandomTensor(81, 64);

        var y = TestSupport.Run(exe, unfused, new() { ["x"] = tx })["y"];

        Assert.That(exe.Stats.ArenaBuffers, Is.EqualTo(3), "a, tanh(a) and neg(tanh(a)) are all live at the third node");
        Assert.That(exe.Stats.BufferReuses, Is.Zero);
        AssertClose(tx.ToDoubles().Select(t => -Math.Tanh(Math.Exp(t)) + Math.Exp(t)).ToArray(), y, rtol: 1e-5, atol: 1e-6);
    }

    [Test]
    public void Donated_output_does_not_corrupt_a_later_reader_of_the_donated_input()
    {
        // y = 2x donates x, but z = x + 1 is computed after y: z must see the original x.
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 300);
        var y = b.Mul(x, b.Scalar(2));
        var z = b.Add(x, b.Scalar(1));
        b.Output("y", y, donates: "x");
        b.Output("z", z);
        using var exe = (CpuExecutable)Device.Compile(b.Build());
        var tx = RandomTensor(82, 300);

        var r = TestSupport.Run(exe, Device, new() { ["x"] = tx });

        Assert.That(exe.Stats.InputSnapshots, Is.EqualTo(1), exe.Describe());
        AssertClose(tx.ToDoubles().Select(v => 2 * v).ToArray(), r["y"], rtol: 0, atol: 0, what: "y");
        AssertClose(tx.ToDoubles().Select(v => v + 1).ToArray(), r["z"], rtol: 1e-7, atol: 1e-7, what: "z");
    }

    [Test]
    public void Donated_output_whose_producer_is_the_last_reader_writes_in_place_without_a_snapshot()
    {
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 300);
        var t = b.Tanh(x);
        b.Output("t", t);
        b.Output("x2", b.Sub(x, t), donates: "x");
        using var exe = (CpuExecutable)Device.Compile(b.Build());
        var tx = RandomTensor(83, 300);

        var r = TestSupport.Run(exe, Device, new() { ["x"] = tx });

        Assert.That(exe.Stats.InputSnapshots, Is.Zero, exe.Describe());
        Assert.That(exe.Stats.DirectOutputs, Is.EqualTo(2));
        AssertClose(tx.ToDoubles().Select(v => v - Math.Tanh(v)).ToArray(), r["x2"], rtol: 1e-6, atol: 1e-6);
    }

    [Test]
    public void Donated_input_that_is_also_passed_through_keeps_its_old_value_in_the_pass_through_output()
    {
        var b = new GraphBuilder();
        var x = b.Parameter("x", DType.F32, 10);
        b.Output("old", x);
        b.Output("new", b.Neg(x), donates: "x");
        var tx = RandomTensor(84, 10);

        var r = Run(b.Build(), new() { ["x"] = tx });

        AssertClose(tx.ToDoubles(), r["old"], rtol: 0, atol: 0, what: "old");
        AssertClose(tx.ToDoubles().Select(v => -v).ToArray(), r["new"], rtol: 0, atol: 0, what: "new");
    }

    [Test]
    public void A_non_elementwise_producer_never_overwrites_its_own_donated_operand()
    {
        // w' = w·wᵀ-ish update that donates w: the matmul reads all of w while writing, so w is snapshotted.
        var b = new GraphBuilder();
        var w = b.Parameter("w", DType.F32, 33, 33);
        b.Output("w2", b.MatMul(w, w, transB: true), donates: "w");
        using var exe = (CpuExecutable)Device.Compile(b.Build());
        var tw = RandomTensor(85, 33, 33);

        var r = TestSupport.Run(exe, Device, new() { ["w"] = tw });

        Assert.That(exe.Stats.InputSnapshots, Is.EqualTo(1));
        AssertClose(NaiveMatMul(tw.ToDoubles(), tw.ToDoubles(), 33, 33, 33, false, true), r["w2"], atol: 1e-5);
    }

    [Test]
    public void Outputs_that_share_a_value_or_pass_constants_through_are_all_filled()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 5);
        var c = b.Constant("c", HostTensor.FromFloats([1, 2, 3, 4, 5], 5));
        var s = b.Add(x, c);
        b.Output("s1", s);
        b.Output("s2", s);
        b.Output("c", c);
        b.Output("xb", b.Cast(x, DType.BF16));
        var tx = HostTensor.FromFloats([0.5f, 1.5f, -1, 3.25f, 0], 5);

        var r = Run(b.Build(), new() { ["x"] = tx });

        double[] sum = [1.5, 3.5, 2, 7.25, 5];
        AssertClose(sum, r["s1"], rtol: 0, atol: 0);
        AssertClose(sum, r["s2"], rtol: 0, atol: 0);
        AssertClose([1, 2, 3, 4, 5], r["c"], rtol: 0, atol: 0);
        AssertClose(tx.ToDoubles(), r["xb"], rtol: 0, atol: 0);
    }

    private static Graph DeterminismGraph()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 16, 4, 2);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 301, 256);
        var w = b.Parameter("w", DType.F32, layout.NnzBlocks, 16, 16);
        var d = b.Parameter("d", DType.F32, 256, 97);
        var h = b.BlockSparseMatMul(SparseMode.Dds, layout, x, w, transB: true);
        var o = b.MatMul(b.Gelu(h), d);
        b.Output("loss", b.ReduceMean(b.LogSoftmax(o), [0, 1]));
        b.Output("dw", b.BlockSparseMatMul(SparseMode.Sdd, layout, h, x, transA: true));
        b.Output("norm", b.LayerNorm(o, b.Full(1, DType.F32, 97), b.Full(0, DType.F32, 97)));
        return b.Build();
    }

    private static Dictionary<string, HostTensor> DeterminismInputs()
    {
        var layout = BlockLayout.FlatBlockButterfly(256, 256, 16, 4, 2);
        return new()
        {
            ["x"] = RandomTensor(86, 301, 256),
            ["w"] = RandomTensor(87, layout.NnzBlocks, 16, 16),
            ["d"] = RandomTensor(88, 256, 97),
        };
    }

    [Test]
    public void Results_are_bitwise_identical_across_runs_and_thread_counts()
    {
        var graph = DeterminismGraph();
        var inputs = DeterminismInputs();
        using var exe = Device.Compile(graph);
        var first = TestSupport.Run(exe, Device, inputs);
        var second = TestSupport.Run(exe, Device, inputs);

        using var single = TestSupport.Open(Path, threads: 1);
        var oneThread = TestSupport.Run(single, graph, inputs);
        using var many = TestSupport.Open(Path, threads: 5);
        var fiveThreads = TestSupport.Run(many, graph, inputs);

        foreach (var name in first.Keys)
        {
            AssertIdentical(first[name], second[name], $"{name}: run 2");
            AssertIdentical(first[name], oneThread[name], $"{name}: 1 thread");
            AssertIdentical(first[name], fiveThreads[name], $"{name}: 5 threads");
        }
    }

    [Test]
    public void Describe_lists_the_kernels_and_the_memory_plan()
    {
        using var exe = Device.Compile(DeterminismGraph());

        var text = exe.Describe();

        Assert.That(text, Does.Contain("memory plan").And.Contain("arena").And.Contain("reuse"));
        Assert.That(text, Does.Contain("block_sparse dds").And.Contain("block_sparse sdd").And.Contain("gemm").And.Contain("log_softmax"));
        Assert.That(text, Does.Contain(Path == SimdPath.V512 ? "v512" : "v256"));
    }

    [Test]
    public void Binding_errors_are_reported_before_anything_runs()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        b.Output("y", b.Exp(x));
        using var exe = Device.Compile(b.Build());
        using var tx = Device.Allocate(new TensorType(DType.F32, 4));
        using var ty = Device.Allocate(new TensorType(DType.F32, 4));
        using var wrong = Device.Allocate(new TensorType(DType.F32, 5));

        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor>(), new Dictionary<string, IDeviceTensor> { ["y"] = ty }),
            Throws.TypeOf<BindingException>().With.Message.Contains("'x'"));
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = wrong }, new Dictionary<string, IDeviceTensor> { ["y"] = ty }),
            Throws.TypeOf<BindingException>().With.Message.Contains("f32[5]"));
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor>()),
            Throws.TypeOf<BindingException>().With.Message.Contains("output 'y'"));
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = tx }),
            Throws.TypeOf<BindingException>());
        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = new ForeignTensor(new TensorType(DType.F32, 4)) }),
            Throws.TypeOf<BindingException>().With.Message.Contains("not a tensor allocated by the cpu device"));
    }

    [Test]
    public void Two_outputs_bound_to_one_tensor_are_rejected()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4);
        b.Output("y", b.Exp(x));
        b.Output("z", b.Neg(x));
        using var exe = Device.Compile(b.Build());
        using var tx = Device.Allocate(new TensorType(DType.F32, 4));
        using var t = Device.Allocate(new TensorType(DType.F32, 4));

        Assert.That(() => exe.Run(new Dictionary<string, IDeviceTensor> { ["x"] = tx }, new Dictionary<string, IDeviceTensor> { ["y"] = t, ["z"] = t }),
            Throws.TypeOf<BindingException>().With.Message.Contains("same tensor"));
    }

    [Test]
    public void F64_is_not_supported_and_compile_names_the_node()
    {
        var support = Device.Supports(new UnaryOp(UnaryFunction.Exp), [new TensorType(DType.F64, 3)]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("f64"));
        Assert.That(Device.Supports(new CastOp(DType.F64), [new TensorType(DType.F32, 3)]).IsSupported, Is.False);
        Assert.That(Device.Supports(new UnaryOp(UnaryFunction.Exp), [new TensorType(DType.BF16, 3)]).IsSupported, Is.True);

        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 3);
        b.Output("y", b.Cast(b.Exp(x), DType.F64));
        Assert.That(() => Device.Compile(b.Build()), Throws.TypeOf<UnsupportedOpException>().With.Message.Contains("node 1 (cast"));
    }

    [Test]
    public void Every_ir_op_is_supported_for_f32()
    {
        var f = new TensorType(DType.F32, 2, 4);
        var layout = BlockLayout.Dense(4, 4, 2);
        var sparse = new TensorType(DType.F32, layout.NnzBlocks, 2, 2);
        var scalar = new TensorType(DType.F32, Shape.Scalar);
        var labels = new TensorType(DType.I32, 2);
        var cases = new (Op Op, TensorType[] Inputs)[]
        {
            (new UnaryOp(UnaryFunction.Gelu), [f]), (new BinaryOp(BinaryFunction.GeluGrad), [f, f]), (new WhereOp(), [f, f, f]),
            (new CastOp(DType.BF16), [f]), (new FullOp([2], 1, DType.F32), []), (new ReduceOp(ReduceKind.Max, [1], false), [f]),
            (new SoftmaxOp(-1), [f]), (new LogSoftmaxOp(0), [f]), (new LayerNormOp(1e-5), [f, new TensorType(DType.F32, 4), new TensorType(DType.F32, 4)]),
            (new CrossEntropyOp(), [f, labels]), (new OneHotOp(3, DType.F32), [labels]), (new ReshapeOp([8]), [f]), (new TransposeOp([1, 0]), [f]),
            (new SliceOp([0, 0], [1, 2]), [f]), (new PadOp([1, 0], [0, 1]), [f]), (new ConcatOp(0), [f, f]), (new BroadcastToOp([3, 2, 4]), [f]),
            (new GatherOp(), [f, labels]), (new ScatterAddOp(3), [labels, f]), (new MatMulOp(false, true), [f, f]),
            (new BlockSparseMatMulOp(SparseMode.Dds, layout), [new TensorType(DType.F32, 3, 4), sparse]),
            (new BlockSparseSoftmaxOp(layout), [sparse]), (new BlockSparseSoftmaxGradOp(layout), [sparse, sparse]),
            (new AdamWOp(), [f, f, f, f, scalar, scalar]),
        };
        foreach (var (op, inputs) in cases)
            Assert.That(Device.Supports(op, inputs), Is.EqualTo(Support.Yes), op.Name);
    }

    /// <summary>A tensor of some other device: the executable must reject it without touching its data.</summary>
    private sealed class ForeignTensor(TensorType type) : IDeviceTensor
    {
        public TensorType Type { get; } = type;
        public void Upload(ReadOnlySpan<byte> data) => throw new AssertionException("the cpu executable touched a foreign tensor");
        public void Download(Span<byte> destination) => throw new AssertionException("the cpu executable touched a foreign tensor");
        public bool GuardsIntact() => true;
        public void Dispose() { }
    }
}
