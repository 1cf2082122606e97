using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Cpu.Tests.TestSupport;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Data movement (transpose, slice, pad, concat, broadcast, reshape) and gather / scatter-add.</summary>
public sealed class ShapeAndIndexingTests(SimdPath path) : CpuFixture(path)
{
    private static int[] Unflatten(int flat, Shape shape) =>
        Enumerable.Range(0, shape.Rank).Select(d => flat / shape.Strides()[d] % shape[d]).ToArray();

    private static int Flatten(int[] index, Shape shape) =>
        index.Select((v, d) => v * shape.Strides()[d]).Sum();

    [TestCase(new[] { 2, 0, 1 })]
    [TestCase(new[] { 0, 2, 1 })]
    [TestCase(new[] { 1, 0, 2 })]
    [TestCase(new[] { 0, 1, 2 })]
    [TestCase(new[] { 2, 1, 0 })]
    public void Transpose_permutes_axes(int[] perm)
    {
        int[] dims = [3, 5, 18];
        var shape = new Shape(dims);
        var tx = RandomTensor(60, dims);
        var b = new GraphBuilder();
        b.Output("y", b.Transpose(b.Input("x", DType.F32, dims), perm));

        var y = Run(b.Build(), new() { ["x"] = tx })["y"];

        var outShape = y.Type.Shape;
        var xs = tx.ToDoubles();
        var expected = new double[xs.Length];
        for (int i = 0; i < expected.Length; i++)
        {
            var o = Unflatten(i, outShape);
            var input = new int[3];
            for (int d = 0; d < 3; d++) input[perm[d]] = o[d];
            expected[i] = xs[Flatten(input, shape)];
        }
        AssertClose(expected, y, rtol: 0, atol: 0);
    }

    [Test]
    public void Slice_pad_and_concat_move_the_right_elements()
    {
        int[] dims = [4, 6, 5];
        var shape = new Shape(dims);
        var tx = RandomTensor(61, dims);
        var ti = HostTensor.FromInts(Enumerable.Range(0, 4 * 6).ToArray(), 4, 6);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, dims);
        var ints = b.Input("i", DType.I32, 4, 6);
        b.Output("slice", b.Slice(x, [1, 2, 0], [3, 6, 4]));
        b.Output("pad", b.Pad(x, [1, 0, 2], [0, 2, 1]));
        b.Output("concat", b.Concat(1, x, b.Slice(x, [0, 0, 0], [4, 2, 5]), x));
        b.Output("islice", b.Slice(ints, [1, 1], [4, 3]));

        var r = Run(b.Build(), new() { ["x"] = tx, ["i"] = ti });

        var xs = tx.ToDoubles();
        var slice = new List<double>();
        for (int i = 1; i < 3; i++)
            for (int j = 2; j < 6; j++)
                for (int k = 0; k < 4; k++) slice.Add(xs[Flatten([i, j, k], shape)]);
        AssertClose(slice.ToArray(), r["slice"], rtol: 0, atol: 0, what: "slice");

        var padShape = new Shape(5, 8, 8);
        var pad = new double[padShape.ElementCount];
        for (int f = 0; f < pad.Length; f++)
        {
            var o = Unflatten(f, padShape);
            int i = o[0] - 1, j = o[1], k = o[2] - 2;
            if (i >= 0 && i < 4 && j < 6 && k >= 0 && k < 5) pad[f] = xs[Flatten([i, j, k], shape)];
        }
        AssertClose(pad, r["pad"], rtol: 0, atol: 0, what: "pad");

        var concat = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            concat.AddRange(xs.AsSpan(i * 30, 30).ToArray());
            concat.AddRange(xs.AsSpan(i * 30, 10).ToArray());
            concat.AddRange(xs.AsSpan(i * 30, 30).ToArray());
        }
        AssertClose(concat.ToArray(), r["concat"], rtol: 0, atol: 0, what: "concat");
        Assert.That(r["islice"].AsSpan<int>().ToArray(), Is.EqualTo(new[] { 7, 8, 13, 14, 19, 20 }));
    }

    [Test]
    public void Broadcast_to_repeats_size_one_axes()
    {
        var tx = RandomTensor(62, 3, 1);
        var b = new GraphBuilder();
        b.Output("y", b.BroadcastTo(b.Input("x", DType.F32, 3, 1), 2, 3, 4));

        var y = Run(b.Build(), new() { ["x"] = tx })["y"];

        var xs = tx.ToDoubles();
        AssertClose(Enumerable.Range(0, 24).Select(i => xs[i / 4 % 3]).ToArray(), y, rtol: 0, atol: 0);
    }

    [Test]
    public void Reshape_aliases_an_intermediate_and_copies_when_it_is_an_output()
    {
        var tx = RandomTensor(63, 4, 6);
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F32, 4, 6);
        var e = b.Exp(x);
        var flat = b.Reshape(e, 24);
        b.Output("twice", b.Add(flat, flat));
        b.Output("shaped", b.Reshape(e, 2, -1));
        var graph = b.Build();
        using var exe = (CpuExecutable)Device.Compile(graph);

        var r = TestSupport.Run(exe, Device, new() { ["x"] = tx });

        Assert.That(exe.Stats.AliasedValues, Is.EqualTo(1), exe.Describe());
        var exp = tx.ToDoubles().Select(Math.Exp).ToArray();
        AssertClose(exp.Select(v => 2 * v).ToArray(), r["twice"], rtol: 1e-6, atol: 0);
        Assert.That(r["shaped"].Type.Shape, Is.EqualTo(new Shape(2, 12)));
        AssertClose(exp, r["shaped"], rtol: 1e-6, atol: 0);
    }

    [Test]
    public void Gather_looks_up_rows()
    {
        var table = RandomTensor(64, 10, 3, 7);
        int[] idx = [9, 0, 3, 3, 1, 9];
        var b = new GraphBuilder();
        b.Output("y", b.Gather(b.Input("t", DType.F32, 10, 3, 7), b.Input("i", DType.I32, 2, 3)));

        var y = Run(b.Build(), new() { ["t"] = table, ["i"] = HostTensor.FromInts(idx, 2, 3) })["y"];

        Assert.That(y.Type.Shape, Is.EqualTo(new Shape(2, 3, 3, 7)));
        var ts = table.ToDoubles();
        AssertClose(idx.SelectMany(k => ts.AsSpan(k * 21, 21).ToArray()).ToArray(), y, rtol: 0, atol: 0);
    }

    [TestCase(-1)]
    [TestCase(10)]
    public void Gather_with_an_index_out_of_range_throws_naming_it(int bad)
    {
        var b = new GraphBuilder();
        b.Output("y", b.Gather(b.Input("t", DType.F32, 10, 2), b.Input("i", DType.I32, 3)));

        var e = Assert.Throws<ExecutionException>(() =>
            Run(b.Build(), new() { ["t"] = RandomTensor(65, 10, 2), ["i"] = HostTensor.FromInts([1, bad, 2], 3) }));

        Assert.That(e!.Message, Does.Contain($"index {bad}").And.Contain("position 1"));
    }

    [Test]
    public void Scatter_add_accumulates_duplicates_and_zeroes_untouched_rows()
    {
        const int rows = 6, n = 40, width = 19;
        var idx = Enumerable.Range(0, n).Select(i => i * 7 % 5).ToArray(); // row 5 never hit
        var upd = RandomTensor(66, n, width);
        var b = new GraphBuilder();
        b.Output("y", b.ScatterAdd(b.Input("i", DType.I32, n), b.Input("u", DType.F32, n, width), rows));

        var y = Run(b.Build(), new() { ["i"] = HostTensor.FromInts(idx, n), ["u"] = upd })["y"];

        var us = upd.ToDoubles();
        var expected = new double[rows * width];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < width; j++) expected[idx[i] * width + j] += us[i * width + j];
        AssertClose(expected, y, rtol: 1e-6, atol: 1e-6);
        Assert.That(y.ToDoubles().AsSpan(5 * width, width).ToArray(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void Scatter_add_with_an_index_out_of_range_throws_naming_it()
    {
        var b = new GraphBuilder();
        b.Output("y", b.ScatterAdd(b.Input("i", DType.I32, 3), b.Input("u", DType.F32, 3, 2), 4));

        var e = Assert.Throws<ExecutionException>(() =>
            Run(b.Build(), new() { ["i"] = HostTensor.FromInts([0, 3, 4], 3), ["u"] = RandomTensor(67, 3, 2) }));

        Assert.That(e!.Message, Does.Contain("index 4").And.Contain("position 2"));
    }
}
