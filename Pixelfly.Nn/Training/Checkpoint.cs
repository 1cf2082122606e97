using System.Globalization;
using Pixelfly.IO;
using Pixelfly.Nn.Data;
using Pixelfly.Tensors;

namespace Pixelfly.Nn.Training;

/// <summary>Where a training run stands, beside its tensors: step, epoch, the data order's generator state and the run's description.</summary>
/// <param name="Step">Completed optimizer steps.</param>
/// <param name="Epoch">Completed epochs.</param>
/// <param name="RandomState">State of the generator that orders batches, so a resumed run sees the same batches.</param>
/// <param name="ModelConfig">The model's configuration as a string (a resume must match it exactly).</param>
public sealed record CheckpointState(int Step, int Epoch, ulong RandomState, string ModelConfig);

/// <summary>
/// Checkpoints as safetensors files: every parameter under its own name, optimizer state under "adam.m/…" etc.,
/// and in the metadata the format, step, epoch, generator state and model configuration. Written atomically
/// (temp file, flush, rename), so a killed run leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    /// <summary>The metadata's format tag.</summary>
    public const string Format = "pixelfly.checkpoint";

    /// <summary>The version this code writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Writes a checkpoint of the model's current values and the optimizer state.</summary>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, HostTensor> optimizerState, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizerState);
        ArgumentNullException.ThrowIfNull(state);
        var tensors = new Dictionary<string, HostTensor>();
        foreach (var p in model.Parameters()) tensors[p.Name] = p.ToHostTensor();
        foreach (var (name, t) in optimizerState)
            if (!tensors.TryAdd(name, t)) throw new ArgumentException($"optimizer state '{name}' collides with a parameter name");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["version"] = Version.ToString(CultureInfo.InvariantCulture),
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = state.Epoch.ToString(CultureInfo.InvariantCulture),
            ["random_state"] = state.RandomState.ToString(CultureInfo.InvariantCulture),
            ["model_config"] = state.ModelConfig,
        };
        Safetensors.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> (parameter values) and returns the optimizer state and the
    /// run state. A checkpoint of another model configuration, another format or with missing or mis-shaped
    /// tensors is refused with a <see cref="DataException"/> saying what differs; the model is left untouched then.
    /// </summary>
    public static (CheckpointState State, Dictionary<string, HostTensor> OptimizerState) Load(string path, Module model, string expectedConfig)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) throw new DataException($"checkpoint '{path}' does not exist");
        SafetensorsFile file;
        try
        {
            file = Safetensors.ReadWithMetadata(path);
        }
        catch (SafetensorsFormatException e)
        {
            throw new DataException($"checkpoint '{path}' is not a valid safetensors file: {e.Message}");
        }
        var meta = file.Metadata;
        string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new DataException($"'{path}' is not a Pixelfly checkpoint (its metadata has no '{key}')");
        if (Get("format") != Format) throw new DataException($"'{path}' is a '{meta["format"]}' file, not a Pixelfly checkpoint");
        if (Get("version") != Version.ToString(CultureInfo.InvariantCulture))
            throw new DataException($"checkpoint '{path}' has version {meta["version"]}; this build reads version {Version}");
        string config = Get("model_config");
        if (config != expectedConfig)
            throw new DataException($"checkpoint '{path}' was written for another model: it has {config}, this run is {expectedConfig}");
        var state = new CheckpointState(
            ParseInt(Get("step"), "step", path), ParseInt(Get("epoch"), "epoch", path),
            ulong.TryParse(Get("random_state"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong r) ? r : throw new DataException($"checkpoint '{path}': bad random_state"),
            config);

        var values = new Dictionary<Parameter, float[]>();
        foreach (var p in model.Parameters())
        {
            if (!file.Tensors.TryGetValue(p.Name, out var t)) throw new DataException($"checkpoint '{path}' has no tensor for parameter '{p.Name}'");
            if (t.Type != p.Type) throw new DataException($"checkpoint '{path}': parameter '{p.Name}' is {t.Type}, the model has {p.Type}");
            values[p] = t.AsSpan<float>().ToArray();
        }
        foreach (var (p, v) in values) p.SetValues(v);
        var names = model.Parameters().Select(p => p.Name).ToHashSet();
        var optimizer = file.Tensors.Where(kv => !names.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (state, optimizer);
    }

    private static int ParseInt(string text, string key, string path) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : throw new DataException($"checkpoint '{path}': bad {key} '{text}'");
}
