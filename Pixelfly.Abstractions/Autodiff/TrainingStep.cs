using Pixelfly.Ir;
using Pixelfly.Ir.Ops;
using Pixelfly.Tensors;

namespace Pixelfly.Autodiff;

/// <summary>
/// Builds ONE graph for a whole training step: forward, loss, backward and a fused AdamW update of every
/// trainable parameter. Compile it once and replay it; updated parameters and optimizer state are outputs that
/// donate the buffers of their inputs, so they update in place on the device.
/// </summary>
public static class TrainingStep
{
    /// <summary>Name of the learning-rate input (f32 scalar).</summary>
    public const string LearningRate = "lr";

    /// <summary>Name of the 1-based step-count input (f32 scalar).</summary>
    public const string Step = "step";

    /// <summary>Name of the loss output.</summary>
    public const string Loss = "loss";

    /// <summary>Input name of the first-moment state of a parameter.</summary>
    public static string FirstMoment(string parameter) => "adam.m/" + parameter;

    /// <summary>Input name of the second-moment state of a parameter.</summary>
    public static string SecondMoment(string parameter) => "adam.v/" + parameter;

    /// <summary>Output name of the updated value of an input (parameter or optimizer state).</summary>
    public static string Updated(string name) => "updated/" + name;

    /// <summary>
    /// Forward + loss + backward + AdamW for every parameter of <paramref name="model"/> (or the given subset).
    /// Adds inputs "lr", "step" and per parameter p "adam.m/p", "adam.v/p" (zeros at the start). Outputs: "loss",
    /// the model's other outputs, and per parameter "updated/p", "updated/adam.m/p", "updated/adam.v/p", each
    /// donating its input.
    /// </summary>
    public static Graph Build(Graph model, string loss, AdamWOp optimizer, IReadOnlyList<string>? trainable = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var parameters = trainable ?? model.Parameters.Select(p => p.Name).ToArray();
        if (parameters.Count == 0)
            throw new GraphValidationException("the model has no parameters to train");
        foreach (var p in parameters)
            if (!model.TryGetValue(p, out var v) || v.Kind != ValueKind.Parameter)
                throw new GraphValidationException($"'{p}' is not a parameter of the model");
        foreach (var reserved in new[] { LearningRate, Step })
            if (model.TryGetValue(reserved, out _))
                throw new GraphValidationException($"the model already has a value named '{reserved}', which a training step reserves");

        var b = new GraphBuilder();
        var map = Gradients.Replay(b, model);
        var lr = b.Input(LearningRate, DType.F32);
        var step = b.Input(Step, DType.F32);
        var grads = Gradients.Backward(b, model, map, loss, parameters);

        b.Output(Loss, map[model.Output(loss).Value]);
        foreach (var o in model.Outputs)
            if (o.Name != loss)
                b.Output(o.Name, map[o.Value], o.Donates);
        foreach (var p in parameters)
        {
            var param = map[model.Value(p).Id];
            var m = b.Input(FirstMoment(p), param.Type);
            var v = b.Input(SecondMoment(p), param.Type);
            var (newParam, newM, newV) = b.AdamW(param, grads[p], m, v, lr, step, optimizer);
            b.Output(Updated(p), newParam, donates: p);
            b.Output(Updated(FirstMoment(p)), newM, donates: FirstMoment(p));
            b.Output(Updated(SecondMoment(p)), newV, donates: SecondMoment(p));
        }
        return b.Build();
    }
}
