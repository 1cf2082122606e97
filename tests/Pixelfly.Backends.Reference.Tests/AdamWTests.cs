using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;
using static Pixelfly.Backends.Reference.Tests.TestSupport;

namespace Pixelfly.Backends.Reference.Tests;

public sealed class AdamWTests
{
    private const double Lr = 0.125, Wd = 0.01, Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;

    /// <summary>One AdamW step graph whose param', m', v' donate param, m, v (the training-loop binding).</summary>
    private static Graph StepGraph(int size)
    {
        var b = new GraphBuilder();
        var p = b.Parameter("p", DType.F64, size);
        var g = b.Input("g", DType.F64, size);
        var m = b.Input("m", DType.F64, size);
        var v = b.Input("v", DType.F64, size);
        var lr = b.Input("lr", DType.F32);
        var step = b.Input("step", DType.F32);
        var (p2, m2, v2) = b.AdamW(p, g, m, v, lr, step, new AdamWOp(Beta1, Beta2, Eps, Wd));
        b.Output("p_out", p2, donates: "p");
        b.Output("m_out", m2, donates: "m");
        b.Output("v_out", v2, donates: "v");
        return b.Build();
    }

    [Test]
    public void TwoStepsMatchHandComputation()
    {
        double[] p0 = [1.0, -2.0];
        double[] g1 = [0.5, -0.1];
        double[] g2 = [-0.2, 0.3];
        using var exe = Device.Compile(StepGraph(2));
        var p = Device.Upload(F64(p0, 2));
        var m = Device.Upload(F64([0, 0], 2));
        var v = Device.Upload(F64([0, 0], 2));
        var g = Device.Upload(F64(g1, 2));
        var lr = Device.Upload(HostTensor.FromFloats([(float)Lr]));
        var step = Device.Upload(HostTensor.FromFloats([1f]));
        var inputs = new Dictionary<string, IDeviceTensor> { ["p"] = p, ["g"] = g, ["m"] = m, ["v"] = v, ["lr"] = lr, ["step"] = step };
        var outputs = new Dictionary<string, IDeviceTensor> { ["p_out"] = p, ["m_out"] = m, ["v_out"] = v };

        exe.Run(inputs, outputs);

        // Step 1: m̂ = g and v̂ = g², so the update is lr·g/(|g| + ε) after the decay p·(1 − lr·wd).
        var p1 = new double[2];
        for (int i = 0; i < 2; i++) p1[i] = p0[i] * (1 - Lr * Wd) - Lr * g1[i] / (Math.Abs(g1[i]) + Eps);
        Assert.That(p.Download().ToDoubles(), Is.EqualTo(p1).Within(1e-15));
        Assert.That(p1[0], Is.EqualTo(0.8737500025).Within(1e-12));
        Assert.That(m.Download().ToDoubles(), Is.EqualTo(new[] { 0.1 * g1[0], 0.1 * g1[1] }).Within(1e-15));
        Assert.That(v.Download().ToDoubles(), Is.EqualTo(new[] { 0.001 * g1[0] * g1[0], 0.001 * g1[1] * g1[1] }).Within(1e-17));

        g.Upload(F64(g2, 2).Data);
        step.Upload(HostTensor.FromFloats([2f]).Data);
        exe.Run(inputs, outputs);

        // Step 2: m = 0.09·g1 + 0.1·g2, v = 0.000999·g1² + 0.001·g2², corrections 1 − 0.9² and 1 − 0.999².
        var p2 = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double m2 = 0.09 * g1[i] + 0.1 * g2[i];
            double v2 = 0.000999 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i];
            double mHat = m2 / 0.19, vHat = v2 / 0.001999;
            p2[i] = p1[i] * (1 - Lr * Wd) - Lr * mHat / (Math.Sqrt(vHat) + Eps);
        }
        Assert.That(p.Download().ToDoubles(), Is.EqualTo(p2).Within(1e-14));
    }

    [Test]
    public void StepZeroIsRejectedBecauseStepsCountFromOne()
    {
        var graph = StepGraph(1);
        var ex = Assert.Throws<ExecutionException>(() => Run(graph,
            ("p", F64([1], 1)), ("g", F64([1], 1)), ("m", F64([0], 1)), ("v", F64([0], 1)),
            ("lr", HostTensor.FromFloats([0.1f])), ("step", HostTensor.FromFloats([0f]))));
        Assert.That(ex!.Message, Does.Contain("step").And.Contain("adamw"));
    }
}
