using Pixelfly.Conformance;
using Pixelfly.Perf.Baselines;
using Pixelfly.Perf.Cases;
using Pixelfly.Tensors;

namespace Pixelfly.Perf.Protocol;

/// <summary>OpenBLAS <c>cblas_sgemm</c> on a dense shape, with operands generated and allocated once.</summary>
public sealed class OpenBlasGemmWork : ITimedWork
{
    private readonly OpenBlas _blas;
    private readonly GemmShape _shape;
    private readonly float[] _a, _b, _c;

    /// <summary>Allocates A, B (uniform in [-1, 1), seeded) and C for the shape.</summary>
    public OpenBlasGemmWork(string name, OpenBlas blas, GemmShape shape, long seed)
    {
        ArgumentNullException.ThrowIfNull(blas);
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();
        Name = name;
        _blas = blas;
        _shape = shape;
        _a = Generate(shape.AShape, seed);
        _b = Generate(shape.BShape, seed + 1);
        _c = new float[(long)shape.M * shape.N];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public double? LastRunDeviceMs => null;

    /// <inheritdoc/>
    public void Run() =>
        _blas.Sgemm(_shape.TransA, _shape.TransB, _shape.M, _shape.N, _shape.K,
            _a, _shape.AShape.Cols, _b, _shape.BShape.Cols, _c, _shape.N);

    /// <inheritdoc/>
    public void Dispose() { }

    private static float[] Generate((int Rows, int Cols) shape, long seed) =>
        InputSpec.Uniform("operand", -1, 1, seed & InputSpec.MaxSeed)
            .Generate(new TensorType(DType.F32, shape.Rows, shape.Cols)).AsSpan<float>().ToArray();
}
