using Pixelfly.Backends.Reference;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff.Tests;

public sealed class TrainingStepTests
{
    private static Graph LinearRegression()
    {
        var b = new GraphBuilder();
        var x = b.Input("x", DType.F64, 8, 3);
        var t = b.Input("t", DType.F64, 8, 1);
        var w = b.Parameter("w", DType.F64, 3, 1);
        var err = b.MatMul(x, w) - t;
        b.Output("loss", b.ReduceMean(err * err, [0, 1]));
        return b.Build();
    }

    [Test]
    public void StepGraphDeclaresOptimizerStateAndDonatesUpdates()
    {
        var step = TrainingStep.Build(LinearRegression(), "loss", new AdamWOp());
        Assert.That(step.Inputs.Select(v => v.Name), Is.SupersetOf(new[] { "lr", "step", "adam.m/w", "adam.v/w" }));
        Assert.That(step.Output("updated/w").Donates, Is.EqualTo("w"));
        Assert.That(step.Output("updated/adam.m/w").Donates, Is.EqualTo("adam.m/w"));
        Assert.That(step.OutputType("loss"), Is.EqualTo(new TensorType(DType.F64, Shape.Scalar)));
    }

    [Test]
    public void RepeatedStepsReduceTheLoss()
    {
        var device = new ReferenceBackend().Open(new ReferenceBackend().EnumerateDevices()[0], DeviceOptions.None);
        using var exe = device.Compile(TrainingStep.Build(LinearRegression(), "loss", new AdamWOp(WeightDecay: 0)));
        var random = new Random(7);
        var x = Enumerable.Range(0, 24).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var t = Enumerable.Range(0, 8).Select(i => 2 * x[3 * i] - x[3 * i + 1] + 0.5 * x[3 * i + 2]).ToArray();
        var state = new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.FromDoubles(new TensorType(DType.F64, 8, 3), x),
            ["t"] = HostTensor.FromDoubles(new TensorType(DType.F64, 8, 1), t),
            ["w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["adam.m/w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["adam.v/w"] = new HostTensor(new TensorType(DType.F64, 3, 1)),
            ["lr"] = HostTensor.FromFloats([0.1f]),
        };
        var losses = new List<double>();
        for (int s = 1; s <= 60; s++)
        {
            state["step"] = HostTensor.FromFloats([s]);
            var outs = exe.RunOnHost(state);
            losses.Add(outs["loss"].ToDoubles()[0]);
            foreach (var name in new[] { "w", "adam.m/w", "adam.v/w" })
                state[name] = outs[TrainingStep.Updated(name)];
        }
        Assert.That(losses[^1], Is.LessThan(losses[0] * 0.05), string.Join(", ", losses.Select(l => l.ToString("G3"))));
    }

    [Test]
    public void UnknownLossIsAClearError()
    {
        var ex = Assert.Throws<GraphValidationException>(() => Gradients.Build(LinearRegression(), "lost", ["w"]));
        Assert.That(ex!.Message, Does.Contain("loss 'lost' is not an output"));
    }

    [Test]
    public void DifferentiatingWithRespectToIndicesIsAClearError()
    {
        var b = new GraphBuilder();
        var table = b.Parameter("table", DType.F64, 4, 2);
        var idx = b.Input("idx", DType.I32, 3);
        b.Output("loss", b.ReduceSum(b.Gather(table, idx), [0, 1]));
        var ex = Assert.Throws<GraphValidationException>(() => Gradients.Build(b.Build(), "loss", ["idx"]));
        Assert.That(ex!.Message, Does.Contain("not floating point"));
    }
}
