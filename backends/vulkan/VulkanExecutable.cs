using System.Text;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Planning;
using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;
using Silk.NET.Vulkan;

namespace Pixelfly.Backends.Vulkan;

/// <summary>
/// A graph compiled for a Vulkan device: a memory plan over device-local buffers, the dispatches of every node with
/// their pipelines, recorded once into a command buffer per set of bound tensors and replayed by every run.
/// Runs of one executable are serialised (they share the arena).
/// </summary>
public sealed unsafe class VulkanExecutable : IDeviceTimedExecutable, IDeviceBound
{
    private const int MaxRecordings = 4;
    private readonly VulkanDevice _device;
    private readonly VulkanProgram _program;
    private readonly string[] _slotNames;
    private readonly Dictionary<string, int> _inputSlot = [];
    private readonly int[] _outputSlot;
    private readonly DeviceBuffer _status;
    private readonly QueryPool _timestamps;
    private readonly List<Recording> _recordings = [];
    private readonly object _gate = new();
    private bool _disposed;

    internal VulkanExecutable(VulkanDevice device, Graph graph, IVulkanLowering lowering)
    {
        _device = device;
        Graph = graph;
        CheckSupported(device, graph, lowering);
        var types = new List<TensorType>();
        var names = new List<string>();
        foreach (var v in graph.Bindable)
        {
            _inputSlot[v.Name] = types.Count;
            types.Add(v.Type);
            names.Add(v.Name);
        }
        _outputSlot = new int[graph.Outputs.Count];
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            var output = graph.Outputs[o];
            _outputSlot[o] = output.Donates is { } d ? _inputSlot[d] : types.Count;
            types.Add(graph.Values[output.Value].Type);
            names.Add("output " + output.Name);
        }
        _slotNames = names.ToArray();
        var context = device.Context;
        _program = new VulkanProgram(context, device.Transfers, device.Pipelines, lowering, device.Limits, graph, types, _inputSlot, _outputSlot);
        try
        {
            _status = DeviceBuffer.HostVisible(context, 16, "the status words");
            var info = new QueryPoolCreateInfo { SType = StructureType.QueryPoolCreateInfo, QueryType = QueryType.Timestamp, QueryCount = 2 };
            QueryPool pool;
            context.Vk.CreateQueryPool(context.Device, &info, null, &pool).Check("vkCreateQueryPool");
            _timestamps = pool;
        }
        catch
        {
            _status?.Dispose();
            _program.Dispose();
            throw;
        }
        device.Track(this);
    }

    /// <inheritdoc/>
    public Graph Graph { get; }

    /// <summary>The device the executable runs on.</summary>
    public VulkanDevice Device => _device;

    IDevice IDeviceBound.Device => _device;

    /// <inheritdoc/>
    public double? LastRunDeviceMilliseconds { get; private set; }

    /// <summary>Number of compute dispatches one run records.</summary>
    public int DispatchCount => _program.DispatchCount;

    /// <summary>Number of memory barriers one run records between its steps.</summary>
    public int BarrierCount => _program.BarrierCount;

    /// <summary>Number of command buffers recorded so far and still cached (one per distinct set of bound tensors).</summary>
    public int RecordingCount
    {
        get { lock (_gate) return _recordings.Count; }
    }

    internal VulkanMemoryPlan Plan => _program.Plan;

    /// <inheritdoc/>
    public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
        BindingCheck.Validate(Graph, inputs, outputs);
        var bound = new VulkanTensor[_slotNames.Length];
        foreach (var (name, slot) in _inputSlot) bound[slot] = Own(inputs[name], $"input '{name}'");
        for (int o = 0; o < Graph.Outputs.Count; o++)
        {
            var output = Graph.Outputs[o];
            var t = Own(outputs[output.Name], $"output '{output.Name}'");
            bound[_outputSlot[o]] = t;
            // Donating outputs share the input's slot; keep their own slot filled so the recording key is complete.
            int own = _inputSlot.Count + o;
            bound[own] = t;
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var recording = RecordingFor(bound);
            new Span<uint>(_status.Mapped, 4).Clear();
            var context = _device.Context;
            lock (context.Gate) context.Submit(recording.CommandBuffer);
            CheckStatus();
            LastRunDeviceMilliseconds = ReadTimestamps();
        }
    }

    /// <inheritdoc/>
    public string Describe()
    {
        var p = _program;
        var f = _device.Context.Facts;
        var sb = new StringBuilder();
        sb.AppendLine($"vulkan executable on {f.Id} ({f.Name}): {Graph.Nodes.Count} nodes -> {p.DispatchCount} dispatches, {p.Steps.Count - p.DispatchCount} copies, {p.BarrierCount} barriers, {_device.Pipelines.Count} pipeline(s) on the device");
        sb.AppendLine($"memory plan: arena {DeviceBuffer.FormatBytes(p.ArenaBytes)} in {p.Plan.ArenaSlotWords.Length} slot(s) for {p.Plan.ArenaValues} value(s) ({p.Plan.SlotReuses} reuse(s)), " +
                      $"{p.Plan.AliasedNodes.Count(a => a)} alias(es), {p.Plan.Imports.Length} import(s), constants+tables {DeviceBuffer.FormatBytes(p.ConstantBytes)}, scratch {DeviceBuffer.FormatBytes(p.ScratchBytes)}");
        foreach (var v in Graph.Values)
        {
            string kind = v.Kind == ValueKind.Node ? $"#{v.Producer} {Graph.Nodes[v.Producer].Op.Name}" : v.Kind.ToString().ToLowerInvariant();
            sb.AppendLine($"  {kind} {v.Name} {v.Type} @ {p.Plan.Storage[v.Id]}{(p.Plan.Root[v.Id] != v.Id ? $" (alias of {Graph.Values[p.Plan.Root[v.Id]].Name})" : "")}");
        }
        foreach (var step in p.Steps)
        {
            string barrier = step.BarrierBefore ? "| " : "  ";
            if (step is DispatchStep d)
                sb.AppendLine($"  {barrier}{d.Dispatch.Label}: {d.Dispatch.Shader}[{string.Join(",", d.Dispatch.Specialization)}] groups {d.Dispatch.GroupsX}x{d.Dispatch.GroupsY}x{d.Dispatch.GroupsZ} ({string.Join(", ", d.Bindings)})");
            else
                sb.AppendLine($"  {barrier}{step.Label}");
        }
        sb.AppendLine("  ('|' marks a memory barrier before the step)");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _device.Untrack(this);
            if (_device.IsDisposed) return;
            foreach (var r in _recordings) r.Dispose();
            _recordings.Clear();
            _device.Context.Vk.DestroyQueryPool(_device.Context.Device, _timestamps, null);
            _status.Dispose();
            _program.Dispose();
        }
    }

    /// <summary>Releases Vulkan objects when the device closes first (called by the device, which then destroys itself).</summary>
    internal void ReleaseForDevice()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var r in _recordings) r.Dispose();
            _recordings.Clear();
            _device.Context.Vk.DestroyQueryPool(_device.Context.Device, _timestamps, null);
            _status.Dispose();
            _program.Dispose();
        }
    }

    private static void CheckSupported(VulkanDevice device, Graph graph, IVulkanLowering lowering)
    {
        foreach (var v in graph.Values)
            if (v.Kind != ValueKind.Node && v.Type.DType == DType.F64)
                throw new UnsupportedOpException($"{v.Kind.ToString().ToLowerInvariant()} '{v.Name}' is {v.Type}: the vulkan backend computes in f32 and does not hold f64 tensors (use the reference backend)");
        foreach (var node in graph.Nodes)
        {
            var support = lowering.Supports(node.Op, node.Inputs.Select(i => graph.Values[i].Type).ToArray());
            if (!support.IsSupported)
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}, output '{graph.Values[node.Outputs[0]].Name}') on {device.Info.Id}: {support.Reason}");
        }
    }

    private VulkanTensor Own(IDeviceTensor tensor, string role)
    {
        if (tensor is not VulkanTensor v || !ReferenceEquals(v.Device, _device))
            throw new BindingException($"{role} is bound to a {tensor.GetType().Name}{(tensor is VulkanTensor o ? $" of {o.Device.Info.Id}" : "")}, not a tensor allocated by {_device.Info.Id}");
        if (v.IsDisposed) throw new BindingException($"{role} is bound to a disposed tensor");
        return v;
    }

    private Recording RecordingFor(VulkanTensor[] bound)
    {
        int found = _recordings.FindIndex(r => r.Binds(bound));
        if (found >= 0)
        {
            var hit = _recordings[found];
            _recordings.RemoveAt(found);
            _recordings.Insert(0, hit);
            return hit;
        }
        var recording = new Recording(_device.Context, _program, bound, _status, _timestamps);
        _recordings.Insert(0, recording);
        if (_recordings.Count > MaxRecordings)
        {
            _recordings[^1].Dispose();
            _recordings.RemoveAt(_recordings.Count - 1);
        }
        return recording;
    }

    // The status words: [tag = node index + 1, bad value, limit, position] (see BufferArg.Status); the wording
    // follows the CPU backend's messages for the same errors.
    private void CheckStatus()
    {
        var s = new ReadOnlySpan<int>(_status.Mapped, 4);
        if (s[0] == 0) return;
        int nodeIndex = s[0] - 1;
        if (nodeIndex < 0 || nodeIndex >= Graph.Nodes.Count)
            throw new ExecutionException($"a dispatch reported bad data with an unknown tag {s[0]} (value {s[1]}, limit {s[2]}, position {s[3]})");
        var node = Graph.Nodes[nodeIndex];
        string name = node.Op.Name;
        string what = name switch
        {
            "gather" => $"gather: index {s[1]} at position {s[3]} is outside [0, {s[2]}) (the table's first dimension)",
            "scatter_add" => $"scatter_add: index {s[1]} at position {s[3]} is outside [0, {s[2]}) (the output rows)",
            "cross_entropy" => $"cross_entropy: row {s[3]} has label {s[1]}, outside [0, {s[2]})",
            "adamw" => $"adamw: step must be >= 1 (steps count from 1; step 0 divides by a zero bias correction), got {BitConverter.Int32BitsToSingle(s[1])}",
            _ => $"{name}: value {s[1]} at position {s[3]} is outside [0, {s[2]})",
        };
        throw new ExecutionException($"{what} (node {nodeIndex}, output '{Graph.Values[node.Outputs[0]].Name}')");
    }

    private double? ReadTimestamps()
    {
        var context = _device.Context;
        uint bits = context.Facts.TimestampValidBits;
        if (bits == 0) return null;
        var t = stackalloc ulong[2];
        var r = context.Vk.GetQueryPoolResults(context.Device, _timestamps, 0, 2, (nuint)16, t, 8, QueryResultFlags.Result64Bit | QueryResultFlags.ResultWaitBit);
        if (r != Result.Success) return null;
        ulong mask = bits >= 64 ? ulong.MaxValue : (1ul << (int)bits) - 1;
        ulong ticks = ((t[1] & mask) - (t[0] & mask)) & mask;
        return ticks * (double)context.Facts.TimestampPeriod / 1e6;
    }
}
