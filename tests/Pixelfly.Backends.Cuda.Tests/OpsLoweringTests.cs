using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cuda.Tests;

/// <summary>
/// The plain op lowering without a GPU: every launch of representative nodes names a kernel that exists in the
/// embedded sources with exactly the parameters the launch passes (count, kinds, tables and status where the
/// kernel expects them), and the grids, view tables, splits and codes are the ones the kernels assume.
/// </summary>
[TestFixture]
public class OpsLoweringTests
{
    private static readonly CudaLoweringLimits H100 = CudaLoweringLimits.H100;

    // ---- kernel signatures, parsed from the embedded sources ----

    // The op kernels only: the matmul family has its own tests.
    private static readonly Lazy<Dictionary<string, ParameterKind[]>> Signatures = new(() => KernelSignatures.Parse(OpKernels.All.Select(v => v.Source)));

    private static void AssertWellFormed(KernelLaunch launch, Graph graph)
    {
        string key = $"{launch.Variant.Source}:{launch.Function}";
        Assert.That(Signatures.Value, Does.ContainKey(key), $"{launch.Label}: no kernel {key}");
        Assert.That(launch.Args.Select(KernelSignatures.KindOf), Is.EqualTo(Signatures.Value[key]), $"{launch.Label}: arguments of {key}");
        Assert.That(CudaLowering.Instance.AllVariants(H100), Does.Contain(launch.Variant), launch.Label);
        Assert.That(launch.Grid.X, Is.GreaterThanOrEqualTo(1u), launch.Label);
        Assert.That((launch.Grid.Y, launch.Grid.Z), Is.EqualTo((1u, 1u)), launch.Label);
        Assert.That(launch.Block.X, Is.InRange(32u, (uint)OpKernels.Block), launch.Label);
        Assert.That(launch.Block.X & (launch.Block.X - 1), Is.Zero, $"{launch.Label}: the tree reductions need a power-of-two block");
        Assert.That(launch.DynamicSharedBytes, Is.Zero, launch.Label);
        if (launch.Function is "pf_reduce" or "pf_rows" or "pf_check_indices")
            Assert.That(launch.Block.X, Is.EqualTo((uint)OpKernels.Block), $"{launch.Label}: the block trees span exactly PF_OPS_BLOCK threads");
        foreach (var arg in launch.Args)
        {
            if (arg.Kind == LaunchArgKind.Value) Assert.That(arg.Id, Is.InRange(0, graph.Values.Count - 1), launch.Label);
            if (arg.Kind == LaunchArgKind.Table) Assert.That(arg.Table, Is.Not.Null.And.Not.Empty, launch.Label);
            if (arg.Kind == LaunchArgKind.Scratch) Assert.That(arg.Bytes, Is.Positive, launch.Label);
        }
    }

    // ---- graphs ----

    private static IReadOnlyList<KernelLaunch> LowerNode(Graph graph, int node, CudaLoweringLimits? limits = null) =>
        CudaLowering.Instance.Lower(new LoweringContext(graph, graph.Nodes[node], limits ?? H100));

    private static (Graph Graph, IReadOnlyList<KernelLaunch> Launches) LowerLast(Func<GraphBuilder, Value> build, CudaLoweringLimits? limits = null)
    {
        var b = new GraphBuilder();
        b.Output("y", build(b));
        var graph = b.Build();
        return (graph, LowerNode(graph, graph.Nodes.Count - 1, limits));
    }

    /// <summary>A graph with at least one node of every op this lowering handles, in each float dtype.</summary>
    internal static Graph EveryOp(DType dtype)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", dtype, 4, 40);
        var row = b.Input("row", dtype, 40);
        var col = b.Input("col", dtype, 4, 1);
        var labels = b.Input("labels", DType.I32, 4);
        var words = b.Input("words", DType.I32, 2, 3);
        foreach (UnaryFunction f in Enum.GetValues<UnaryFunction>()) b.Output($"u{f}", b.Unary(f, x));
        foreach (BinaryFunction f in Enum.GetValues<BinaryFunction>()) b.Output($"b{f}", b.Binary(f, x, row));
        b.Output("where", b.Where(b.Input("flags", DType.I32, 40), col, x));
        b.Output("whereFloat", b.Where(x, x, row));
        foreach (var to in new[] { DType.F32, DType.F16, DType.BF16, DType.I32 }) b.Output($"cast{to}", b.Cast(x, to));
        b.Output("castBack", b.Cast(labels, dtype));
        b.Output("full", b.Full(1.0 / 3, dtype, 3, 5));
        b.Output("sum", b.ReduceSum(x, [1]));
        b.Output("mean0", b.ReduceMean(x, [0]));
        b.Output("max", b.ReduceMax(x, [0, 1], keepDims: true));
        b.Output("softmax", b.Softmax(x));
        b.Output("softmax0", b.Softmax(x, 0));
        b.Output("logSoftmax", b.LogSoftmax(x));
        b.Output("layerNorm", b.LayerNorm(x, row, row));
        b.Output("crossEntropy", b.CrossEntropy(x, labels));
        b.Output("oneHot", b.OneHot(labels, 7, dtype));
        b.Output("oneHotI32", b.OneHot(labels, 7, DType.I32));
        b.Output("gather", b.Gather(x, words));
        b.Output("gatherI32", b.Gather(words, labels));
        b.Output("scatter", b.ScatterAdd(words, b.Input("updates", dtype, 2, 3, 5), 9));
        b.Output("reshape", b.Reshape(x, 8, 20));
        b.Output("transpose", b.Transpose(x, 1, 0));
        b.Output("slice", b.Slice(x, [1, 2], [3, 30]));
        b.Output("pad", b.Pad(x, [1, 0], [0, 3]));
        b.Output("concat", b.Concat(1, x, x, col));
        b.Output("broadcast", b.BroadcastTo(row, 3, 4, 40));
        var (p, m, v) = b.AdamW(x, x, x, x, b.Input("lr", DType.F32), b.Input("step", DType.F32), new AdamWOp());
        b.Output("p", p);
        b.Output("m", m);
        b.Output("v", v);
        return b.Build();
    }

    // ---- tests ----

    [TestCase(DType.F32)]
    [TestCase(DType.F16)]
    [TestCase(DType.BF16)]
    public void EveryLaunchOfEveryOpMatchesItsKernelSignature(DType dtype)
    {
        var graph = EveryOp(dtype);
        int launches = 0;
        foreach (var node in graph.Nodes)
        {
            var types = node.Inputs.Select(i => graph.Values[i].Type).ToArray();
            Assert.That(CudaLowering.Instance.Supports(node.Op, types).IsSupported, Is.True, node.Op.Name);
            foreach (var launch in LowerNode(graph, node.Index))
            {
                AssertWellFormed(launch, graph);
                Assert.That(launch.Label, Does.StartWith($"node {node.Index} ({node.Op.Name})"));
                launches++;
            }
        }
        Assert.That(launches, Is.GreaterThanOrEqualTo(graph.Nodes.Count));
    }

    [Test]
    public void SupportsSaysNoForF64WithAReason()
    {
        var support = CudaLowering.Instance.Supports(new UnaryOp(UnaryFunction.Exp), [new TensorType(DType.F64, new Shape(3))]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("f64").And.Contain("CUDA"));
        var cast = CudaLowering.Instance.Supports(new CastOp(DType.F64), [new TensorType(DType.F32, new Shape(3))]);
        Assert.That(cast.IsSupported, Is.False);
        Assert.That(cast.Reason, Does.Contain("f64"));
    }

    [Test]
    public void SupportsSaysNoForInputsThatDoNotTypeCheck()
    {
        var support = CudaLowering.Instance.Supports(new BinaryOp(BinaryFunction.Add), [new TensorType(DType.F32, new Shape(3)), new TensorType(DType.F32, new Shape(4))]);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("add"));
    }

    [Test]
    public void ABroadcastBinaryOpReadsThroughACollapsedViewTable()
    {
        var (graph, launches) = LowerLast(b => b.Add(b.Input("a", DType.F32, 2, 3, 4), b.Input("b", DType.F32, 3, 4)));
        var launch = launches.Single();
        Assert.That(launch.Function, Is.EqualTo("pf_binary"));
        // [2, 3·4] merged: a is contiguous (strides 12, 1), b repeats along the first dim (0, 1).
        Assert.That(launch.Args[6].Integer, Is.EqualTo(2), "rank");
        Assert.That(launch.Args[7].Table, Is.EqualTo(new[] { 2, 12, 12, 1, 0, 1 }));
        Assert.That(launch.Args[5].Integer, Is.EqualTo(24), "count");
        Assert.That(launch.Args[4].Integer, Is.EqualTo(ElementwiseLowering.CodeOf(BinaryFunction.Add)));
        Assert.That(launch.Args[0].Id, Is.EqualTo(graph.Nodes[0].Outputs[0]));
    }

    [Test]
    public void AScalarOperandHasARankZeroViewWithAPlaceholderTable()
    {
        var (_, launches) = LowerLast(b => b.Mul(b.Input("a", DType.F16), b.Input("b", DType.F16)));
        var launch = launches.Single();
        Assert.That(launch.Args[6].Integer, Is.Zero);
        Assert.That(launch.Args[7].Table, Is.EqualTo(new[] { 0 }));
        Assert.That(launch.Args[3].Integer, Is.EqualTo(OpKernels.DTypeCode(DType.F16)));
    }

    [Test]
    public void WhereTakesTheConditionDtypeAndTheValueElementSize()
    {
        var (_, launches) = LowerLast(b => b.Where(b.Input("c", DType.I32, 5), b.Input("a", DType.BF16, 5), b.Input("b", DType.BF16, 1)));
        var args = launches.Single().Args;
        Assert.That(args[4].Integer, Is.EqualTo(OpKernels.DTypeCode(DType.I32)));
        Assert.That(args[5].Integer, Is.EqualTo(2));
        Assert.That(args[8].Table, Is.EqualTo(new[] { 5, 1, 1, 0 }));
    }

    [TestCase(DType.F32, 1.0 / 3, 0x3EAAAAAB)]
    [TestCase(DType.F16, 1.0 / 3, 0x3555)]
    [TestCase(DType.BF16, 1.0 / 3, 0x3EAB)]
    [TestCase(DType.I32, -2.7, -2)]
    [TestCase(DType.I32, 1e12, int.MaxValue)]
    public void FullFillsTheValueRoundedToItsDtype(DType dtype, double value, int bits)
    {
        var (_, launches) = LowerLast(b => b.Full(value, dtype, 7));
        var args = launches.Single().Args;
        Assert.That(launches.Single().Function, Is.EqualTo("pf_fill"));
        Assert.That(args[1].Integer, Is.EqualTo(dtype.SizeOf()));
        Assert.That(args[2].Integer, Is.EqualTo(bits));
        Assert.That(args[3].Integer, Is.EqualTo(7));
    }

    [Test]
    public void TransposeReadsTheInputThroughPermutedStrides()
    {
        var (_, launches) = LowerLast(b => b.Transpose(b.Input("x", DType.F16, 2, 3, 5), 2, 0, 1));
        var args = launches.Single().Args;
        Assert.That(args[2].Integer, Is.EqualTo(2), "element size");
        // Output [5, 2·3]: (2, 3) merge because input strides (15, 5) are linear across them.
        Assert.That(args[4].Integer, Is.EqualTo(2));
        Assert.That(args[5].Table, Is.EqualTo(new[] { 5, 6, 6, 1, 1, 5 }));
        Assert.That((args[6].Integer, args[7].Integer), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public void SliceStartsAtTheFirstElementOfTheBox()
    {
        var (_, launches) = LowerLast(b => b.Slice(b.Input("x", DType.F32, 4, 10), [1, 2], [3, 7]));
        var args = launches.Single().Args;
        Assert.That(args[5].Table, Is.EqualTo(new[] { 2, 5, 5, 1, 10, 1 }));
        Assert.That(args[7].Integer, Is.EqualTo(12), "input base: row 1, column 2");
        Assert.That(args[3].Integer, Is.EqualTo(10), "count");
    }

    [Test]
    public void PadZeroFillsThenCopiesTheInputIntoTheInterior()
    {
        var (_, launches) = LowerLast(b => b.Pad(b.Input("x", DType.BF16, 2, 3), [1, 2], [0, 1]));
        Assert.That(launches.Select(l => l.Function), Is.EqualTo(new[] { "pf_fill", "pf_copy_strided" }));
        Assert.That(launches[0].Args[2].Integer, Is.Zero, "zero bits");
        Assert.That(launches[0].Args[3].Integer, Is.EqualTo(3 * 6));
        var copy = launches[1].Args;
        Assert.That(copy[5].Table, Is.EqualTo(new[] { 2, 3, 6, 1, 3, 1 }));
        Assert.That(copy[6].Integer, Is.EqualTo(1 * 6 + 2), "output base");
    }

    [Test]
    public void ConcatCopiesEachNonEmptyInputIntoItsSlab()
    {
        var (graph, launches) = LowerLast(b => b.Concat(1, b.Input("a", DType.F32, 2, 3), b.Input("e", DType.F32, 2, 0), b.Input("c", DType.F32, 2, 4)));
        Assert.That(launches, Has.Count.EqualTo(2));
        Assert.That(launches[0].Args[1].Id, Is.EqualTo(graph.Nodes[0].Inputs[0]));
        Assert.That(launches[0].Args[6].Integer, Is.Zero);
        Assert.That(launches[1].Args[1].Id, Is.EqualTo(graph.Nodes[0].Inputs[2]));
        Assert.That(launches[1].Args[6].Integer, Is.EqualTo(3), "column offset of the third input");
        Assert.That(launches[1].Args[5].Table, Is.EqualTo(new[] { 2, 4, 7, 1, 4, 1 }));
    }

    [Test]
    public void ReshapeAndTheRuntimeCopyAreByteCopies()
    {
        var (_, launches) = LowerLast(b => b.Reshape(b.Input("x", DType.F16, 6, 5), 30));
        Assert.That(launches.Single().Function, Is.EqualTo("pf_copy_bytes"));
        Assert.That(launches.Single().Args[2].Integer, Is.EqualTo(60));
        var copy = CudaLowering.Instance.Copy(LaunchArg.Value(1), LaunchArg.Value(2, 64), 1000);
        Assert.That(copy.Function, Is.EqualTo("pf_copy_bytes"));
        Assert.That(copy.Args.Select(a => (a.Kind, a.Id)), Is.EqualTo(new[] { (LaunchArgKind.Value, 2), (LaunchArgKind.Value, 1), (LaunchArgKind.Int64, -1) }));
        Assert.That(copy.Args[0].Bytes, Is.EqualTo(64), "destination offset kept");
        Assert.That(copy.Args[2].Integer, Is.EqualTo(1000));
    }

    [Test]
    public void AShortReductionGetsAThreadPerOutput()
    {
        var (_, launches) = LowerLast(b => b.ReduceSum(b.Input("x", DType.F32, 100, 10), [1]));
        var args = launches.Single().Args;
        Assert.That(args[13].Integer, Is.Zero, "per thread");
        Assert.That((args[4].Integer, args[5].Integer, args[7].Integer), Is.EqualTo((100L, 1L, 10L)), "outputs, splits, length");
        Assert.That(args[10].Table, Is.EqualTo(new[] { 100, 10, 10, 1 }), "kept dims, strides; reduced dims, strides");
    }

    [Test]
    public void ALongContiguousReductionOverFewRowsIsSplitIntoOrderedPartials()
    {
        var (_, launches) = LowerLast(b => b.ReduceMean(b.Input("x", DType.BF16, 2, 1 << 20), [1]));
        Assert.That(launches, Has.Count.EqualTo(2));
        var (first, second) = (launches[0].Args, launches[1].Args);
        long splits = first[5].Integer;
        Assert.That(splits, Is.GreaterThan(1));
        Assert.That(first[13].Integer, Is.EqualTo(1), "a block per (output, split)");
        Assert.That(launches[0].Grid.X, Is.EqualTo((uint)(2 * splits)));
        Assert.That(first[0].Kind, Is.EqualTo(LaunchArgKind.Scratch));
        Assert.That(first[0].Bytes, Is.EqualTo(2 * splits * 4));
        Assert.That(first[1].Integer, Is.EqualTo(OpKernels.DTypeCode(DType.F32)), "raw f32 partials");
        Assert.That(first[11].Integer, Is.Zero, "partials are sums; the mean divides once, at the end");
        Assert.That(first[6].Integer * splits, Is.GreaterThanOrEqualTo(1 << 20), "the chunks cover the row");
        Assert.That((first[6].Integer) * (splits - 1), Is.LessThan(1 << 20), "no empty chunk");
        Assert.That(second[2].Kind, Is.EqualTo(LaunchArgKind.Scratch));
        Assert.That(second[3].Integer, Is.EqualTo(OpKernels.DTypeCode(DType.F32)));
        Assert.That(second[1].Integer, Is.EqualTo(OpKernels.DTypeCode(DType.BF16)));
        Assert.That(second[11].Integer, Is.EqualTo(1), "mean");
        Assert.That(second[12].Real, Is.EqualTo((float)(1 << 20)));
        // Output o's partials are [o·splits, (o + 1)·splits), combined in order.
        Assert.That(second[10].Table, Is.EqualTo(new[] { 2, (int)splits, (int)splits, 1 }));
    }

    [Test]
    public void ALongStridedReductionIsSplitSplitMajorSoNeighbouringThreadsReadNeighbouringColumns()
    {
        var (_, launches) = LowerLast(b => b.ReduceMax(b.Input("x", DType.F32, 1 << 16, 8), [0]));
        Assert.That(launches, Has.Count.EqualTo(2));
        var (first, second) = (launches[0].Args, launches[1].Args);
        long splits = first[5].Integer;
        Assert.That(first[13].Integer, Is.Zero, "a thread per (output, split)");
        Assert.That(first[11].Integer, Is.EqualTo(2), "partial maxima");
        Assert.That(first[10].Table, Is.EqualTo(new[] { 8, 1, 1 << 16, 8 }));
        Assert.That(second[10].Table, Is.EqualTo(new[] { 8, 1, (int)splits, 8 }), "partials of output o at o + s·outputs");
    }

    [Test]
    public void SplittingDependsOnlyOnTheShapeAndTheSmCount()
    {
        Assert.That(ReductionLowering.Splits(ReductionLowering.ReduceMode.PerBlock, 1000, 1 << 20, H100), Is.EqualTo(1), "enough outputs");
        Assert.That(ReductionLowering.Splits(ReductionLowering.ReduceMode.PerBlock, 1, 4096, H100), Is.EqualTo(1), "too short");
        long splits = ReductionLowering.Splits(ReductionLowering.ReduceMode.PerBlock, 1, 1 << 24, H100);
        Assert.That(splits, Is.EqualTo(2 * 132));
        Assert.That(ReductionLowering.Splits(ReductionLowering.ReduceMode.PerBlock, 1, 1 << 24, H100), Is.EqualTo(splits));
    }

    [Test]
    public void SoftmaxOverTheLastAxisGetsABlockPerRowAndOverAnOuterAxisAThreadPerRow()
    {
        var (_, last) = LowerLast(b => b.Softmax(b.Input("x", DType.F32, 6, 100)));
        Assert.That(last.Single().Args[12].Integer, Is.EqualTo(1));
        Assert.That(last.Single().Grid.X, Is.EqualTo(6u));
        Assert.That((last.Single().Args[7].Integer, last.Single().Args[8].Integer, last.Single().Args[9].Integer), Is.EqualTo((6L, 100L, 1L)));
        var (_, outer) = LowerLast(b => b.LogSoftmax(b.Input("x", DType.F32, 6, 100, 3), 1));
        var args = outer.Single().Args;
        Assert.That(args[12].Integer, Is.Zero);
        Assert.That((args[6].Integer, args[7].Integer, args[8].Integer, args[9].Integer), Is.EqualTo((1L, 18L, 100L, 3L)), "log_softmax, rows, length, inner");
    }

    [Test]
    public void CrossEntropyReportsThroughTheStatusWordsWithTheNodeTag()
    {
        var (graph, launches) = LowerLast(b => b.CrossEntropy(b.Exp(b.Input("x", DType.F32, 4, 50)), b.Input("t", DType.I32, 4)));
        var args = launches.Single().Args;
        Assert.That(args[4].Kind, Is.EqualTo(LaunchArgKind.Status));
        Assert.That(args[2].Id, Is.EqualTo(graph.Nodes[1].Inputs[1]), "labels");
        Assert.That(args[11].Integer, Is.EqualTo(2), "tag = node index + 1");
        Assert.That(args[6].Integer, Is.EqualTo(3));
    }

    [Test]
    public void LayerNormPassesGammaBetaAndEpsilon()
    {
        var (graph, launches) = LowerLast(b => b.LayerNorm(b.Input("x", DType.F16, 3, 64), b.Input("g", DType.F16, 64), b.Input("b", DType.F16, 64), 1e-3));
        var args = launches.Single().Args;
        Assert.That((args[2].Id, args[3].Id), Is.EqualTo((graph.Nodes[0].Inputs[1], graph.Nodes[0].Inputs[2])));
        Assert.That(args[10].Real, Is.EqualTo(1e-3f));
        Assert.That(args[6].Integer, Is.EqualTo(2));
    }

    [Test]
    public void GatherChecksIndicesAgainstTheTableRows()
    {
        var (_, launches) = LowerLast(b => b.Gather(b.Input("t", DType.BF16, 11, 2, 3), b.Input("i", DType.I32, 4, 5)));
        var args = launches.Single().Args;
        Assert.That(args[4].Integer, Is.EqualTo(2), "element size");
        Assert.That((args[5].Integer, args[6].Integer, args[7].Integer), Is.EqualTo((120L, 6L, 11L)), "count, row length, table rows");
        var (_, empty) = LowerLast(b => b.Gather(b.Input("t", DType.F32, 11, 0), b.Input("i", DType.I32, 4)));
        Assert.That(empty.Single().Function, Is.EqualTo("pf_check_indices"), "rows of no elements still validate the indices");
        Assert.That(empty.Single().Grid, Is.EqualTo((1u, 1u, 1u)), "one block walks the indices in order");
        Assert.That((empty.Single().Args[2].Integer, empty.Single().Args[3].Integer), Is.EqualTo((4L, 11L)));
    }

    [TestCase(1, 32, 1)]
    [TestCase(40, 64, 1)]
    [TestCase(256, 256, 1)]
    [TestCase(1000, 256, 4)]
    public void ScatterAddBlocksCoverEachRowWithPowerOfTwoStripes(int rowLength, int threads, int stripes)
    {
        var (_, launches) = LowerLast(b => b.ScatterAdd(b.Input("i", DType.I32, 7), b.Input("u", DType.F32, 7, rowLength), 50));
        var launch = launches.Single();
        Assert.That(launch.Block.X, Is.EqualTo((uint)threads));
        Assert.That(launch.Args[9].Integer, Is.EqualTo(stripes));
        Assert.That(launch.Args[8].Integer, Is.EqualTo(IndexLowering.MaxTileRows));
        Assert.That(launch.Grid.X, Is.EqualTo((uint)((50 + 15) / 16 * stripes)));
        Assert.That((launch.Args[5].Integer, launch.Args[6].Integer, launch.Args[7].Integer), Is.EqualTo((7L, 50L, (long)rowLength)));
    }

    [Test]
    public void ScatterAddWithoutIndicesStillZeroesItsOutputAndFewRowsShrinkTheTile()
    {
        var (_, launches) = LowerLast(b => b.ScatterAdd(b.Input("i", DType.I32, 0), b.Input("u", DType.F32, 0, 3), 5));
        Assert.That(launches.Single().Function, Is.EqualTo("pf_scatter_add"));
        Assert.That(launches.Single().Args[8].Integer, Is.EqualTo(5), "tile rows");
        Assert.That(launches.Single().Grid.X, Is.EqualTo(1u));
    }

    [Test]
    public void AdamWReadsLrAndStepOnTheDeviceAndPassesLogBetas()
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F32, 10);
        var (np, nm, nv) = b.AdamW(p, b.Input("g", DType.F32, 10), b.Input("m", DType.F32, 10), b.Input("v", DType.F32, 10),
            b.Input("lr", DType.F32), b.Input("step", DType.F32), new AdamWOp(0.8, 0.99, 1e-6, 0.1));
        b.Output("p2", np);
        b.Output("m2", nm);
        b.Output("v2", nv);
        var graph = b.Build();
        var args = LowerNode(graph, 0).Single().Args;
        Assert.That(args.Take(3).Select(a => a.Id), Is.EqualTo(graph.Nodes[0].Outputs));
        Assert.That(args.Skip(3).Take(6).Select(a => a.Id), Is.EqualTo(graph.Nodes[0].Inputs));
        Assert.That(args[16].Real, Is.EqualTo((float)Math.Log(0.8)));
        Assert.That(args[17].Real, Is.EqualTo((float)Math.Log(0.99)));
        Assert.That(args[18].Integer, Is.EqualTo(1));
    }

    [Test]
    public void EmptyTensorsNeedNoLaunches()
    {
        Assert.That(LowerLast(b => b.Exp(b.Input("x", DType.F32, 0, 3))).Launches, Is.Empty);
        Assert.That(LowerLast(b => b.ReduceSum(b.Input("x", DType.F32, 0, 3), [1])).Launches, Is.Empty);
        Assert.That(LowerLast(b => b.Softmax(b.Input("x", DType.F32, 3, 0))).Launches, Is.Empty);
        Assert.That(LowerLast(b => b.Transpose(b.Input("x", DType.F32, 0, 3), 1, 0)).Launches, Is.Empty);
    }

    [Test]
    public void ASumOverAnEmptyAxisStillWritesItsOutputs()
    {
        var (_, launches) = LowerLast(b => b.ReduceSum(b.Input("x", DType.F32, 3, 0), [1]));
        Assert.That(launches.Single().Args[7].Integer, Is.Zero, "length 0: each output is 0");
    }

    [Test]
    public void LargeGridsAreCappedAndWalkedWithGridStrideLoops()
    {
        var (_, launches) = LowerLast(b => b.Exp(b.Input("x", DType.F32, 1 << 28)));
        Assert.That(launches.Single().Grid.X, Is.EqualTo((uint)(H100.SmCount * OpKernels.BlocksPerSm)));
        var (_, small) = LowerLast(b => b.Exp(b.Input("x", DType.F32, 300)));
        Assert.That(small.Single().Grid.X, Is.EqualTo(2u));
    }

    [Test]
    public void AllVariantsAreFewDistinctAndIncludeEveryOpKernel()
    {
        var variants = CudaLowering.Instance.AllVariants(H100).ToList();
        Assert.That(variants, Is.Unique);
        Assert.That(variants, Is.SupersetOf(OpKernels.All));
        Assert.That(variants, Has.Count.LessThan(150));
        var sources = typeof(CudaLowering).Assembly.GetManifestResourceNames();
        foreach (var v in variants) Assert.That(sources, Does.Contain("pixelfly.cuda." + v.Source), v.Key);
    }

    [Test]
    public void AllVariantsAreTheOpKernelsAndTheMatMulVariantsSoTheTwoCompileTestsCoverThem()
    {
        foreach (var limits in new[] { H100, H100 with { Tf32 = true }, new CudaLoweringLimits(80, 108, 166912, false) })
            Assert.That(CudaLowering.Instance.AllVariants(limits),
                Is.EquivalentTo(OpKernels.All.Concat(Lowering.MatMul.MatMulLowering.Variants(limits)).Distinct()));
    }

    [Test]
    public void MatMulFamilyNodesAreDelegatedToTheMatMulLowering()
    {
        var b = new GraphBuilder();
        b.Output("y", b.MatMul(b.Input("a", DType.BF16, 16, 16), b.Input("b", DType.BF16, 16, 16)));
        var graph = b.Build();
        var ops = OpKernels.All.Select(v => v.Source).ToHashSet();
        var launches = LowerNode(graph, 0);
        Assert.That(launches, Is.Not.Empty);
        Assert.That(launches.Select(l => l.Variant.Source), Has.None.Matches<string>(ops.Contains), "matmuls run on the matmul kernels");
        Assert.That(CudaLowering.Instance.AllVariants(H100), Is.SupersetOf(launches.Select(l => l.Variant)));
    }
}
