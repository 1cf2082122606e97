using Pixelfly.Autodiff;
using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff.Tests;

/// <summary>
/// Checks a gradient graph against central finite differences, in float64 on the reference backend.
/// The loss is Σ y·r with r a fixed random tensor, so every output element's gradient path is exercised.
/// </summary>
internal sealed class FiniteDifference
{
    private static readonly IDevice Ref = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
    private readonly Random _random = new(1234);

    public GraphBuilder B { get; } = new();

    public Dictionary<string, HostTensor> Data { get; } = [];

    /// <summary>A float64 input filled uniformly in [lo, hi).</summary>
    public Value Input(string name, int[] shape, double lo = -1, double hi = 1)
    {
        var v = B.Input(name, DType.F64, shape);
        var values = new double[v.Shape.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = lo + (hi - lo) * _random.NextDouble();
        Data[name] = HostTensor.FromDoubles(v.Type, values);
        return v;
    }

    /// <summary>An i32 input with the given values.</summary>
    public Value Indices(string name, int[] values, params int[] shape)
    {
        Data[name] = HostTensor.FromInts(values, shape);
        return B.Input(name, DType.I32, shape);
    }

    /// <summary>
    /// Differentiates Σ y·r with respect to every f64 input and compares each gradient element (up to
    /// <paramref name="maxElements"/> per input) with (L(x+h) − L(x−h)) / 2h.
    /// </summary>
    public void Check(Value y, double tolerance = 1e-6, double step = 1e-6, int maxElements = 40)
    {
        var r = Input("r", y.Shape.ToArray());
        var all = Enumerable.Range(0, y.Shape.Rank).ToArray();
        var loss = y.Shape.Rank == 0 ? y * r : B.ReduceSum(y * r, all);
        B.Output("loss", loss);
        var forward = B.Build();
        var wrt = forward.Inputs.Where(v => v.Type.DType == DType.F64 && v.Name != "r").Select(v => v.Name).ToArray();
        Assert.That(wrt, Is.Not.Empty, "nothing to differentiate");
        var gradGraph = Gradients.Build(forward, "loss", wrt);
        var analytic = Ref.RunOnce(gradGraph, Data);
        using var exe = Ref.Compile(forward);

        int checkedCount = 0;
        foreach (var name in wrt)
        {
            var grad = analytic[Gradients.OutputPrefix + name].ToDoubles();
            var x = Data[name].ToDoubles();
            int stride = Math.Max(1, x.Length / maxElements);
            for (int i = 0; i < x.Length; i += stride)
            {
                double h = step * Math.Max(1, Math.Abs(x[i]));
                double up = Loss(exe, name, x, i, x[i] + h);
                double down = Loss(exe, name, x, i, x[i] - h);
                double fd = (up - down) / (2 * h);
                Assert.That(grad[i], Is.EqualTo(fd).Within(tolerance * Math.Max(1, Math.Abs(fd))),
                    $"d loss / d {name}[{i}]: analytic {grad[i]:R} vs finite difference {fd:R}");
                checkedCount++;
            }
        }
        Assert.That(checkedCount, Is.GreaterThan(0));
    }

    private double Loss(IExecutable exe, string name, double[] x, int index, double value)
    {
        var perturbed = (double[])x.Clone();
        perturbed[index] = value;
        var inputs = new Dictionary<string, HostTensor>(Data) { [name] = HostTensor.FromDoubles(Data[name].Type, perturbed) };
        return exe.RunOnHost(inputs)["loss"].ToDoubles()[0];
    }
}
