using System.Runtime.Intrinsics;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu.Tests;

/// <summary>Which SIMD path a fixture runs: the Vector512 kernels or, with cpu.avx512 disabled, the Vector256 ones.</summary>
public enum SimdPath
{
    V512,
    V256,
}

/// <summary>A fixture that runs every test on both SIMD paths of the CPU device.</summary>
[TestFixtureSource(nameof(Paths))]
public abstract class CpuFixture(SimdPath path)
{
    public static readonly SimdPath[] Paths = [SimdPath.V512, SimdPath.V256];

    protected SimdPath Path { get; } = path;

    protected CpuDevice Device { get; private set; } = null!;

    [OneTimeSetUp]
    public void OpenDevice()
    {
        if (Path == SimdPath.V512 && !Vector512.IsHardwareAccelerated)
            Assert.Ignore("Vector512 is not hardware accelerated on this machine; the Vector256 fixture covers the kernels");
        Device = TestSupport.Open(Path);
        Assert.That(Device.Features.UseVector512, Is.EqualTo(Path == SimdPath.V512));
    }

    [OneTimeTearDown]
    public void CloseDevice() => Device?.Dispose();

    /// <summary>Runs a graph with guard bands around every tensor and poisoned outputs; checks the guards.</summary>
    protected Dictionary<string, HostTensor> Run(Graph graph, Dictionary<string, HostTensor> inputs) => TestSupport.Run(Device, graph, inputs);
}

/// <summary>Data, brute-force references and comparisons shared by the tests.</summary>
public static class TestSupport
{
    public const int GuardBytes = 64;

    public static CpuDevice Open(SimdPath path, int? threads = null, bool fusion = true)
    {
        var disabled = new HashSet<string>();
        if (path == SimdPath.V256) disabled.Add(CpuFeatures.Avx512FeatureKey);
        if (!fusion) disabled.Add(CpuFeatures.FusionFeatureKey);
        return new(new DeviceOptions(disabled), threads);
    }

    /// <summary>Deterministic values in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    public static HostTensor RandomTensor(int seed, params int[] dims) =>
        HostTensor.FromFloats(Random(new Shape(dims).ElementCount, seed), dims);

    public static HostTensor RandomTensor(DType dtype, int seed, params int[] dims)
    {
        var type = new TensorType(dtype, dims);
        return HostTensor.FromDoubles(type, Random(type.Shape.ElementCount, seed).Select(f => (double)f).ToArray());
    }

    /// <summary>
    /// Compiles and runs a graph: every tensor sits between guard bands, outputs start as NaN (0xFF bytes) so an
    /// unwritten element shows, donated outputs are bound to their input's tensor. Asserts the guards held.
    /// </summary>
    public static Dictionary<string, HostTensor> Run(IDevice device, Graph graph, Dictionary<string, HostTensor> inputs)
    {
        using var exe = device.Compile(graph);
        return Run(exe, device, inputs);
    }

    public static Dictionary<string, HostTensor> Run(IExecutable exe, IDevice device, Dictionary<string, HostTensor> inputs)
    {
        var graph = exe.Graph;
        var all = new List<IDeviceTensor>();
        var bound = new Dictionary<string, IDeviceTensor>();
        foreach (var v in graph.Bindable)
        {
            var t = device.Allocate(v.Type, GuardBytes);
            t.Upload(inputs[v.Name].Data);
            bound[v.Name] = t;
            all.Add(t);
        }
        var outputs = new Dictionary<string, IDeviceTensor>();
        foreach (var o in graph.Outputs)
        {
            if (o.Donates is not null)
            {
                outputs[o.Name] = bound[o.Donates];
                continue;
            }
            var type = graph.Values[o.Value].Type;
            var t = device.Allocate(type, GuardBytes);
            t.Upload(Enumerable.Repeat((byte)0xFF, (int)type.ByteCount).ToArray());
            outputs[o.Name] = t;
            all.Add(t);
        }
        exe.Run(bound, outputs);
        foreach (var t in all)
            Assert.That(t.GuardsIntact(), Is.True, $"a kernel wrote outside tensor {t.Type}");
        var result = outputs.ToDictionary(kv => kv.Key, kv => kv.Value.Download());
        foreach (var t in all) t.Dispose();
        return result;
    }

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| everywhere (NaN only where expected is NaN).</summary>
    public static void AssertClose(double[] expected, HostTensor actual, double rtol = 1e-5, double atol = 1e-5, string what = "")
    {
        var a = actual.ToDoubles();
        Assert.That(a, Has.Length.EqualTo(expected.Length), $"{what}: element count");
        for (int i = 0; i < a.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                Assert.That(a[i], Is.NaN, $"{what}: element {i}");
                continue;
            }
            if (double.IsInfinity(expected[i]))
            {
                Assert.That(a[i], Is.EqualTo(expected[i]), $"{what}: element {i}");
                continue;
            }
            double tol = atol + rtol * Math.Abs(expected[i]);
            if (!(Math.Abs(a[i] - expected[i]) <= tol))
                Assert.Fail($"{what}: element {i} is {a[i]:R}, expected {expected[i]:R} (tolerance {tol:G3})");
        }
    }

    /// <summary>Bitwise equality of two tensors.</summary>
    public static void AssertIdentical(HostTensor expected, HostTensor actual, string what = "")
    {
        Assert.That(actual.Type, Is.EqualTo(expected.Type), what);
        Assert.That(actual.Data, Is.EqualTo(expected.Data), $"{what}: results differ bitwise");
    }

    /// <summary>C = op(A)·op(B) for row-major matrices, in double (operands first laid out as rows of op(A) and columns of op(B)).</summary>
    public static double[] NaiveMatMul(double[] a, double[] b, int m, int n, int k, bool transA, bool transB)
    {
        var rows = new double[m * k];
        var cols = new double[n * k];
        for (int i = 0; i < m; i++)
            for (int kk = 0; kk < k; kk++) rows[i * k + kk] = transA ? a[kk * m + i] : a[i * k + kk];
        for (int j = 0; j < n; j++)
            for (int kk = 0; kk < k; kk++) cols[j * k + kk] = transB ? b[j * k + kk] : b[kk * n + j];
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                var r = rows.AsSpan(i * k, k);
                var q = cols.AsSpan(j * k, k);
                double s = 0;
                for (int kk = 0; kk < k; kk++) s += r[kk] * q[kk];
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>The dense Rows×Cols matrix of a sparse tensor's blocks [nnz, b, b] (one batch entry at offset).</summary>
    public static double[] Densify(BlockLayout layout, double[] blocks, int offset = 0)
    {
        int b = layout.BlockSize;
        var dense = new double[layout.Rows * layout.Cols];
        var rowOf = layout.BlockRowOfEachBlock();
        for (int k = 0; k < layout.NnzBlocks; k++)
        {
            int p = rowOf[k], q = layout.ColIdx[k];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                    dense[(p * b + i) * layout.Cols + q * b + j] = blocks[offset + (k * b + i) * b + j];
        }
        return dense;
    }

    /// <summary>The stored blocks [nnz, b, b] of a dense Rows×Cols matrix.</summary>
    public static double[] Sparsify(BlockLayout layout, double[] dense)
    {
        int b = layout.BlockSize;
        var blocks = new double[layout.NnzBlocks * b * b];
        var rowOf = layout.BlockRowOfEachBlock();
        for (int k = 0; k < layout.NnzBlocks; k++)
        {
            int p = rowOf[k], q = layout.ColIdx[k];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                    blocks[(k * b + i) * b + j] = dense[(p * b + i) * layout.Cols + q * b + j];
        }
        return blocks;
    }

    /// <summary>A layout with a random pattern plus an empty block row and an empty block column.</summary>
    public static BlockLayout LayoutWithHoles(int blockRows, int blockCols, int b, int seed)
    {
        var rng = new Random(seed);
        var mask = new bool[blockRows, blockCols];
        for (int p = 0; p < blockRows; p++)
            for (int q = 0; q < blockCols; q++)
                mask[p, q] = p != 1 && q != blockCols - 2 && (rng.NextDouble() < 0.45 || p == q);
        return BlockLayout.FromMask(mask, b);
    }

    public static double[] Slice(double[] x, int offset, int count) => x.AsSpan(offset, count).ToArray();
}
