using Pixelfly.Autodiff;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Training;

/// <summary>
/// What a task adds on top of a model: its inputs (declared on the scope's builder), the scalar training loss, and
/// outputs evaluation reads (per-example losses, logits).
/// </summary>
public sealed record TaskGraph(Value Loss, IReadOnlyDictionary<string, Value> Outputs);

/// <summary>Builds a task's graph for a model (called once per graph the trainer compiles).</summary>
public delegate TaskGraph TaskBuilder(GraphScope scope);

/// <summary>
/// Trains a model on one device: the whole step (forward, loss, backward, clipping, optimizer update) is ONE graph,
/// compiled once and replayed; parameters and optimizer state stay on the device and are updated in place
/// (donation); a separate forward-only graph evaluates. Batches have the fixed shapes the task declared. Given the
/// same initial values and batches, a run is deterministic on one device.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IDevice _device;
    private readonly Module _model;
    private readonly IExecutable _train;
    private readonly IExecutable _eval;
    private readonly Dictionary<string, IDeviceTensor> _state = [];      // parameters and optimizer states
    private readonly Dictionary<string, IDeviceTensor> _trainInputs = [];
    private readonly Dictionary<string, IDeviceTensor> _trainOutputs = [];
    private readonly Dictionary<string, IDeviceTensor> _evalInputs = [];
    private readonly Dictionary<string, IDeviceTensor> _evalOutputs = [];
    private readonly IReadOnlyList<string> _stateNames;
    private bool _disposed;

    /// <summary>Compiles the training and evaluation graphs and uploads the model's (initialised) parameters.</summary>
    public Trainer(IDevice device, Module model, TaskBuilder task, OptimizerSettings optimizer, LearningRateSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(optimizer);
        _device = device;
        _model = model;
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        schedule.At(1);   // validates the schedule up front
        var parameters = model.Parameters().ToList();
        foreach (var p in parameters)
            if (p.Values is null) throw new InvalidOperationException($"parameter '{p.Name}' is not initialised: call Initialize on the model (or load a checkpoint) first");

        var forward = BuildForward(task);
        var decays = parameters.ToDictionary(p => p.Name, p => p.WeightDecay);
        var rule = optimizer.Rule(name => decays[name]);
        TrainingGraph = TrainingStep.Build(forward, TrainingStep.Loss, rule, parameters.Select(p => p.Name).ToArray(), optimizer.ClipNorm);
        EvaluationGraph = forward;
        _stateNames = rule.StateNames;

        _train = device.Compile(TrainingGraph);
        try
        {
            _eval = device.Compile(EvaluationGraph);
        }
        catch
        {
            _train.Dispose();
            throw;
        }
        foreach (var p in parameters)
        {
            _state[p.Name] = device.Upload(p.ToHostTensor());
            foreach (var s in _stateNames)
                _state[$"{s}/{p.Name}"] = device.Upload(new HostTensor(p.Type));
        }
        Bind(TrainingGraph, _trainInputs, _trainOutputs);
        Bind(EvaluationGraph, _evalInputs, _evalOutputs);
    }

    /// <summary>The compiled training-step graph.</summary>
    public Graph TrainingGraph { get; }

    /// <summary>The training step as compiled on the device (for profiling and <see cref="IExecutable.Describe"/>).</summary>
    public IExecutable TrainingExecutable => _train;

    /// <summary>The compiled forward graph (outputs "loss" and the task's outputs).</summary>
    public Graph EvaluationGraph { get; }

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Completed optimizer steps.</summary>
    public int Step { get; private set; }

    /// <summary>Global gradient norm of the last step (before clipping), when clipping is on.</summary>
    public double? LastGradientNorm { get; private set; }

    /// <summary>The batch inputs a step needs (name and type), as the task declared them.</summary>
    public IEnumerable<ValueInfo> BatchInputs => EvaluationGraph.Inputs;

    /// <summary>One optimizer step on a batch; returns the training loss. A NaN or infinite loss throws
    /// <see cref="ExecutionException"/> BEFORE the parameters are trusted again: the caller keeps its last good checkpoint.</summary>
    public double TrainStep(IReadOnlyDictionary<string, HostTensor> batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Upload(batch, _trainInputs, EvaluationGraph);
        int step = Step + 1;
        _trainInputs[TrainingStep.LearningRate].Upload(HostTensor.FromFloats([(float)Schedule.At(step)]).Data);
        _trainInputs[TrainingStep.Step].Upload(HostTensor.FromFloats([step]).Data);
        _train.Run(_trainInputs, _trainOutputs);
        Step = step;
        double loss = _trainOutputs[TrainingStep.Loss].Download().ToDoubles()[0];
        if (_trainOutputs.TryGetValue(TrainingStep.GradientNorm, out var norm))
            LastGradientNorm = norm.Download().ToDoubles()[0];
        if (!double.IsFinite(loss))
            throw new ExecutionException($"the training loss became {loss} at step {step}: the parameters are no longer usable; resume from the last checkpoint with a lower learning rate");
        return loss;
    }

    /// <summary>The forward graph's outputs for a batch (no update).</summary>
    public Dictionary<string, HostTensor> Evaluate(IReadOnlyDictionary<string, HostTensor> batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Upload(batch, _evalInputs, EvaluationGraph);
        _eval.Run(_evalInputs, _evalOutputs);
        return _evalOutputs.ToDictionary(kv => kv.Key, kv => kv.Value.Download());
    }

    /// <summary>Copies the device's parameter values into the model's parameters.</summary>
    public void PullParameters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var p in _model.Parameters())
            p.SetValues(_state[p.Name].Download().AsSpan<float>().ToArray());
    }

    /// <summary>Optimizer state tensors by input name ("adam.m/fc1.weight", ...), downloaded.</summary>
    public Dictionary<string, HostTensor> OptimizerState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _state.Where(kv => _stateNames.Any(s => kv.Key.StartsWith(s + "/", StringComparison.Ordinal)))
            .ToDictionary(kv => kv.Key, kv => kv.Value.Download());
    }

    /// <summary>Restores a saved position: parameters (from the model's current values), optimizer state and step.</summary>
    public void Restore(int step, IReadOnlyDictionary<string, HostTensor> optimizerState)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(optimizerState);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var expected = _state.Keys.Where(k => _stateNames.Any(s => k.StartsWith(s + "/", StringComparison.Ordinal))).ToHashSet();
        var missing = expected.Where(k => !optimizerState.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"the optimizer state lacks {missing.Count} tensor(s), e.g. '{missing[0]}'");
        foreach (var name in expected)
        {
            if (optimizerState[name].Type != _state[name].Type)
                throw new ArgumentException($"optimizer state '{name}' is {optimizerState[name].Type}, expected {_state[name].Type}");
        }
        foreach (var p in _model.Parameters()) _state[p.Name].Upload(p.ToHostTensor().Data);
        foreach (var name in expected) _state[name].Upload(optimizerState[name].Data);
        Step = step;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _state.Values.Concat(_trainInputs.Values).Concat(_trainOutputs.Values).Concat(_evalInputs.Values).Concat(_evalOutputs.Values).Distinct())
            t.Dispose();
        _train.Dispose();
        _eval.Dispose();
    }

    private Graph BuildForward(TaskBuilder task)
    {
        var b = new GraphBuilder();
        var scope = new GraphScope(b);
        var result = task(scope);
        if (result.Loss.Shape.Rank != 0)
            throw new ArgumentException($"the task's training loss must be a scalar, got {result.Loss.Type}");
        b.Output(TrainingStep.Loss, result.Loss);
        foreach (var (name, value) in result.Outputs) b.Output(name, value);
        var unbound = _model.Parameters().Where(p => !scope.BoundParameters.Contains(p)).Select(p => p.Name).ToList();
        if (unbound.Count > 0)
            throw new ArgumentException($"the task does not use {unbound.Count} model parameter(s), e.g. '{unbound[0]}': they would never train");
        return b.Build();
    }

    // Inputs: state tensors by name, batch and scalar tensors allocated once. Outputs: donated ones bound to their
    // input's tensor, the others allocated once.
    private void Bind(Graph graph, Dictionary<string, IDeviceTensor> inputs, Dictionary<string, IDeviceTensor> outputs)
    {
        foreach (var v in graph.Bindable)
            inputs[v.Name] = _state.TryGetValue(v.Name, out var t) ? t : _device.Allocate(v.Type);
        foreach (var o in graph.Outputs)
            outputs[o.Name] = o.Donates is not null ? inputs[o.Donates] : _device.Allocate(graph.Values[o.Value].Type);
    }

    private static void Upload(IReadOnlyDictionary<string, HostTensor> batch, Dictionary<string, IDeviceTensor> inputs, Graph forward)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var v in forward.Inputs)
        {
            if (!batch.TryGetValue(v.Name, out var data))
                throw new ArgumentException($"the batch has no '{v.Name}' ({v.Type}); it has: {string.Join(", ", batch.Keys)}");
            if (data.Type != v.Type)
                throw new ArgumentException($"batch input '{v.Name}' is {data.Type}, the compiled graph takes {v.Type}");
            inputs[v.Name].Upload(data.Data);
        }
    }
}
