using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Layouts;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Reference.Tests;

/// <summary>Runs graphs on the reference device, and the brute-force formulas the tests compare against.</summary>
internal static class TestSupport
{
    public static IDevice Device { get; } = new ReferenceBackend().Open();

    /// <summary>f64 tensor from values.</summary>
    public static HostTensor F64(double[] values, params int[] dims) => HostTensor.FromDoubles(new TensorType(DType.F64, dims), values);

    /// <summary>Marks <paramref name="y"/> as output "y", runs once, returns it widened to double.</summary>
    public static double[] RunSingle(GraphBuilder b, Value y, params (string Name, HostTensor Data)[] inputs)
    {
        b.Output("y", y);
        return Run(b.Build(), inputs)["y"].ToDoubles();
    }

    public static Dictionary<string, HostTensor> Run(Graph graph, params (string Name, HostTensor Data)[] inputs) =>
        Device.RunOnce(graph, inputs.ToDictionary(i => i.Name, i => i.Data));

    public static double[] RandomValues(Random random, int count, double low = -1, double high = 1)
    {
        var v = new double[count];
        for (int i = 0; i < count; i++) v[i] = low + (high - low) * random.NextDouble();
        return v;
    }

    /// <summary>Element [r, c] of op(X) for one batch of a row-major [..., rows, cols] tensor.</summary>
    public static double At(double[] x, int batchOffset, int cols, bool transpose, int r, int c) =>
        transpose ? x[batchOffset + c * cols + r] : x[batchOffset + r * cols + c];

    /// <summary>Brute force C = op(A)·op(B) for one batch: dense row-major m×n.</summary>
    public static double[] DenseProduct(
        double[] a, int aOffset, int aCols, bool transA,
        double[] b, int bOffset, int bCols, bool transB,
        int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int t = 0; t < k; t++)
                    sum += At(a, aOffset, aCols, transA, i, t) * At(b, bOffset, bCols, transB, t, j);
                c[i * n + j] = sum;
            }
        return c;
    }

    /// <summary>The dense Rows×Cols matrix a block-sparse tensor represents (unstored blocks are zero).</summary>
    public static double[] Densify(BlockLayout layout, double[] blocks, int offset = 0)
    {
        int b = layout.BlockSize;
        var dense = new double[layout.Rows * layout.Cols];
        var mask = layout.ToMask();
        int stored = 0;
        for (int p = 0; p < layout.BlockRows; p++)
            for (int q = 0; q < layout.BlockCols; q++)
            {
                if (!mask[p, q]) continue;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < b; j++)
                        dense[(p * b + i) * layout.Cols + q * b + j] = blocks[offset + stored * b * b + i * b + j];
                stored++;
            }
        return dense;
    }
}
