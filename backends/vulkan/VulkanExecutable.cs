using System.Text;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Runtime;
using Pixelfly.Devices;
using Pixelfly.Devices.Planning;
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
    private readonly BindingSlots _slots;
    private readonly DeviceBuffer _status;
    private readonly QueryPool _timestamps;
    private readonly List<Recording> _recordings = [];
    private readonly object _gate = new();
    private bool _disposed;

    internal VulkanExecutable(VulkanDevice device, Graph graph, IVulkanLowering lowering)
    {
        _device = device;
        Graph = graph;
        GraphSupportCheck.Validate(graph, device, "the vulkan backend computes in f32 and does not hold f64 tensors (use the reference backend)", lowering.Supports);
        _slots = new BindingSlots(graph);
        var context = device.Context;
        _program = new VulkanProgram(context, device.Transfers, device.Pipelines, lowering, device.Limits, graph, _slots.Types, _slots.InputSlot, _slots.OutputSlot);
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

    internal LivenessMemoryPlan Plan => _program.Plan;

    /// <inheritdoc/>
    public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
        BindingCheck.Validate(Graph, inputs, outputs);
        // Every slot is filled (donating outputs too), so the tensors are a complete key for the recordings.
        var bound = _slots.Bind(inputs, outputs, Own);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var recording = RecordingFor(bound);
            new Span<uint>(_status.Mapped, 4).Clear();
            var context = _device.Context;
            lock (context.Gate) context.Submit(recording.CommandBuffer);
            // The status words: see BufferArg.Status.
            KernelStatusCheck.ThrowIfBad(Graph, new ReadOnlySpan<int>(_status.Mapped, 4), "a dispatch");
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
        sb.AppendLine($"memory plan: arena {DeviceBuffer.FormatBytes(p.ArenaBytes)} in {p.Plan.ArenaSlotSizes.Length} slot(s) for {p.Plan.ArenaValues} value(s) ({p.Plan.SlotReuses} reuse(s)), " +
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

    private VulkanTensor Own(IDeviceTensor tensor, string role) =>
        BindingCheck.OwnedTensor<VulkanTensor>(tensor, _device, role, t => t.Device, t => t.IsDisposed);

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
