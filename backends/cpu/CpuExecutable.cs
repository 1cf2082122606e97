using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Pixelfly.Backends.Cpu.Kernels;
using Pixelfly.Backends.Cpu.Planning;
using Pixelfly.Devices;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Cpu;

/// <summary>
/// A graph compiled for the CPU: a memory plan (arena, constants, direct outputs) and a list of prepared kernels.
/// <see cref="Run"/> binds the tensors, imports f16/bf16 inputs, runs the kernels in order and copies out the
/// outputs that were not written in place. Runs of one executable are serialised (they share the arena).
/// </summary>
public sealed unsafe class CpuExecutable : IExecutable, IDeviceBound
{
    private readonly CpuDevice _device;
    private readonly MemoryPlan _plan;
    private readonly List<Kernel> _kernels = [];
    private readonly List<string> _steps = [];
    private readonly float[] _arena;
    private readonly float[] _constants;
    private readonly float[] _scratch;
    private readonly float[] _sharedScratch;
    private readonly long _scratchStride;
    private readonly RunContext _context;
    private readonly object _gate = new();
    private bool _disposed;
    private long[]? _kernelTicks;
    private int _profiledRuns;

    internal CpuExecutable(CpuDevice device, Graph graph)
    {
        _device = device;
        Graph = graph;
        CheckSupported(device, graph);
        var fusion = device.Features.UseFusion ? FusionPlan.Build(graph) : FusionPlan.None(graph);
        _plan = MemoryPlanner.Plan(graph, fusion);
        bool wide = device.Features.UseVector512;
        foreach (var node in graph.Nodes)
        {
            string head = $"#{node.Index} {node.Op.Name} -> {string.Join(", ", node.Outputs.Select(v => $"{graph.Values[v].Name} {graph.Values[v].Type} @ {_plan.Storage[v]}"))}";
            if (_plan.AliasedNodes[node.Index])
            {
                _steps.Add($"{head}: alias of {graph.Values[node.Inputs[0]].Name}, no kernel");
                continue;
            }
            int group = fusion.GroupOf[node.Index];
            if (group >= 0 && fusion.ExecutionIndex[node.Index] != node.Index)
            {
                _steps.Add($"{head}: runs in the fused kernel at #{fusion.ExecutionIndex[node.Index]}");
                continue;
            }
            var kernels = group >= 0 ? [CreateFused(fusion.Groups[group], graph, fusion.Internal, wide)] : KernelFactory.Create(node, graph, wide).ToList();
            _kernels.AddRange(kernels);
            _steps.Add($"{head}: {string.Join("; ", kernels.Select(k => k.Describe()))}");
        }
        _arena = AllocatePinned(_plan.ArenaFloats);
        _constants = AllocatePinned(_plan.ConstantFloats);
        foreach (var (id, tensor) in graph.Constants)
            fixed (byte* source = tensor.Data)
                Conversions.Import(tensor.Type.DType, source, Aligned(_constants) + _plan.Storage[id].Offset, tensor.ElementCount);
        _scratchStride = GemmCore.Aligned(_kernels.Count == 0 ? 0 : _kernels.Max(k => k.ScratchFloatsPerWorker));
        _scratch = AllocatePinned(_scratchStride * device.Features.ThreadCount);
        _sharedScratch = AllocatePinned(_kernels.Count == 0 ? 0 : _kernels.Max(k => k.SharedScratchFloats));
        _context = new RunContext(graph.Values.Count, device.Pool)
        {
            ScratchBase = (nint)Aligned(_scratch),
            ScratchStride = _scratchStride,
            SharedScratch = Aligned(_sharedScratch),
        };
        Stats = new CpuPlanStats(
            Nodes: graph.Nodes.Count,
            Kernels: _kernels.Count,
            ArenaValues: _plan.ArenaValues,
            ArenaBuffers: _plan.ArenaBuffers,
            BufferReuses: _plan.BufferReuses,
            ArenaBytes: _plan.ArenaFloats * 4,
            AliasedValues: _plan.AliasedNodes.Count(a => a),
            DirectOutputs: graph.Outputs.Count - _plan.Exports.Length,
            OutputCopies: _plan.Exports.Length,
            InputSnapshots: _plan.InputSnapshots,
            ConstantBytes: _plan.ConstantFloats * 4)
        {
            FusedGroups = fusion.Groups.Count,
            FusedNodes = fusion.Groups.Sum(g => g.Members.Count),
            Epilogues = fusion.Groups.Count(g => g.Head is not null),
            FusedValues = fusion.Internal.Count(i => i),
        };
    }

    /// <inheritdoc/>
    public Graph Graph { get; }

    /// <inheritdoc/>
    public IDevice Device => _device;

    /// <summary>The memory plan and kernel counts.</summary>
    public CpuPlanStats Stats { get; }

    /// <inheritdoc/>
    public void Run(IReadOnlyDictionary<string, IDeviceTensor> inputs, IReadOnlyDictionary<string, IDeviceTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ObjectDisposedException.ThrowIf(_device.IsDisposed, _device);
        BindingCheck.Validate(Graph, inputs, outputs);
        var boundInputs = CheckTensors(inputs, "input");
        var boundOutputs = CheckTensors(outputs, "output");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var handles = new List<GCHandle>(boundInputs.Count + boundOutputs.Count);
            try
            {
                var inputAddress = Pin(boundInputs, handles);
                var outputAddress = Pin(boundOutputs, handles);
                Bind(inputAddress, outputAddress);
                foreach (int v in _plan.Imports)
                {
                    var info = Graph.Values[v];
                    Conversions.Import(info.Type.DType, (byte*)inputAddress[info.Name], _context.F(v), info.Type.Shape.ElementCount);
                }
                if (_kernelTicks is null)
                {
                    foreach (var kernel in _kernels) kernel.Execute(_context);
                }
                else
                {
                    for (int k = 0; k < _kernels.Count; k++)
                    {
                        long start = System.Diagnostics.Stopwatch.GetTimestamp();
                        _kernels[k].Execute(_context);
                        _kernelTicks[k] += System.Diagnostics.Stopwatch.GetTimestamp() - start;
                    }
                    _profiledRuns++;
                }
                foreach (var (v, o) in _plan.Exports)
                {
                    var output = Graph.Outputs[o];
                    var type = Graph.Values[output.Value].Type;
                    Conversions.Export(type.DType, _context.F(v), (byte*)outputAddress[output.Name], type.Shape.ElementCount);
                }
            }
            finally
            {
                foreach (var h in handles) h.Free();
                Array.Clear(_context.Buffers);
            }
        }
    }

    /// <summary>
    /// Starts (or restarts) timing every kernel of later runs with the host clock, for finding where a graph's time
    /// goes; off by default (it adds two clock reads per kernel).
    /// </summary>
    public void StartProfiling()
    {
        lock (_gate)
        {
            _kernelTicks = new long[_kernels.Count];
            _profiledRuns = 0;
        }
    }

    /// <summary>Mean milliseconds per run of each kernel since <see cref="StartProfiling"/>, slowest first, with its description.</summary>
    public IReadOnlyList<(string Kernel, double Milliseconds)> KernelProfile()
    {
        lock (_gate)
        {
            if (_kernelTicks is null || _profiledRuns == 0) return [];
            double scale = 1000.0 / System.Diagnostics.Stopwatch.Frequency / _profiledRuns;
            return _kernels.Select((k, i) => (k.Describe(), _kernelTicks[i] * scale)).OrderByDescending(p => p.Item2).ToList();
        }
    }

    /// <inheritdoc/>
    public string Describe()
    {
        var sb = new StringBuilder();
        var f = _device.Features;
        sb.AppendLine($"cpu executable: {Stats.Nodes} nodes -> {Stats.Kernels} kernels; Vector{f.SimdWidthBits} matmul kernels, {f.ThreadCount} thread(s); " +
                      (f.UseFusion ? $"{Stats.FusedGroups} fused group(s) of {Stats.FusedNodes} element-wise nodes ({Stats.Epilogues} as matmul epilogues), {Stats.FusedValues} value(s) kept in registers" : "fusion off"));
        sb.AppendLine($"memory plan: arena {FormatBytes(Stats.ArenaBytes)} in {Stats.ArenaBuffers} buffer(s) for {Stats.ArenaValues} value(s) " +
                      $"({Stats.BufferReuses} reuse(s)), {Stats.AliasedValues} alias(es), {Stats.DirectOutputs} direct output(s), " +
                      $"{Stats.OutputCopies} output copy(ies), {Stats.InputSnapshots} donation snapshot(s), constants {FormatBytes(Stats.ConstantBytes)}, " +
                      $"scratch {FormatBytes(_scratchStride * 4)} per worker + {FormatBytes((_sharedScratch.Length - 16) * 4L)} shared");
        foreach (var v in Graph.Values.Where(v => v.Kind != ValueKind.Node))
            sb.AppendLine($"  {v.Kind.ToString().ToLowerInvariant()} {v.Name} {v.Type} @ {_plan.Storage[v.Id]}");
        foreach (var step in _steps) sb.AppendLine("  " + step);
        foreach (var (v, o) in _plan.Exports)
            sb.AppendLine($"  copy out {Graph.Values[v].Name} -> output '{Graph.Outputs[o].Name}' {Graph.Values[v].Type}");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate) _disposed = true;
    }

    // A fused group runs on its own, or as the epilogue of the matmul it was fused into.
    private static Kernel CreateFused(FusedGroup group, Graph graph, bool[] internalValues, bool wide)
    {
        var fused = new FusedElementwiseKernel(group, graph, internalValues, wide);
        return group.Head is null ? fused : KernelFactory.CreateMatMulWithEpilogue(group.Head, graph, wide, fused);
    }

    private static void CheckSupported(CpuDevice device, Graph graph)
    {
        foreach (var v in graph.Values)
            if (v.Kind != ValueKind.Node && v.Type.DType == DType.F64)
                throw new UnsupportedOpException($"{v.Kind.ToString().ToLowerInvariant()} '{v.Name}' is {v.Type}: the cpu backend computes in f32 and does not hold f64 tensors (use the reference backend)");
        foreach (var node in graph.Nodes)
        {
            var support = device.Supports(node.Op, node.Inputs.Select(i => graph.Values[i].Type).ToArray());
            if (!support.IsSupported)
                throw new UnsupportedOpException($"node {node.Index} ({node.Op.Name}, output '{graph.Values[node.Outputs[0]].Name}'): {support.Reason}");
        }
    }

    private static Dictionary<string, HostMemoryTensor> CheckTensors(IReadOnlyDictionary<string, IDeviceTensor> bound, string role)
    {
        var result = new Dictionary<string, HostMemoryTensor>(bound.Count);
        foreach (var (name, tensor) in bound)
        {
            if (tensor is not HostMemoryTensor host)
                throw new BindingException($"{role} '{name}' is bound to a {tensor.GetType().Name}, not a tensor allocated by the cpu device");
            try
            {
                _ = host.Bytes;
            }
            catch (ObjectDisposedException)
            {
                throw new BindingException($"{role} '{name}' is bound to a disposed tensor");
            }
            result[name] = host;
        }
        return result;
    }

    private static Dictionary<string, nint> Pin(Dictionary<string, HostMemoryTensor> tensors, List<GCHandle> handles)
    {
        var address = new Dictionary<string, nint>(tensors.Count);
        foreach (var (name, t) in tensors)
        {
            var (array, offset) = t.Storage;
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            handles.Add(handle);
            address[name] = handle.AddrOfPinnedObject() + offset;
        }
        return address;
    }

    private void Bind(Dictionary<string, nint> inputs, Dictionary<string, nint> outputs)
    {
        var buffers = _context.Buffers;
        nint arena = (nint)Aligned(_arena), constants = (nint)Aligned(_constants);
        for (int v = 0; v < buffers.Length; v++)
        {
            var s = _plan.Storage[v];
            buffers[v] = s.Kind switch
            {
                StorageKind.Bound => inputs[s.Binding!],
                StorageKind.Output => outputs[s.Binding!],
                StorageKind.Constant => constants + (nint)(s.Offset * 4),
                StorageKind.Fused => 0,
                _ => arena + (nint)(s.Offset * 4),
            };
        }
    }

    private static float[] AllocatePinned(long floats)
    {
        if (floats + 16 > Array.MaxLength)
            throw new OutOfMemoryException($"the cpu executable needs {floats * 4L} bytes in one buffer, more than the largest host allocation");
        return GC.AllocateArray<float>((int)floats + 16, pinned: true);
    }

    // The first 64-byte-aligned element of a pinned array (arrays carry 16 floats of slack for this).
    private static float* Aligned(float[] array)
    {
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (float*)((p + 63) & ~(nint)63);
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.##} MiB" : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.##} KiB" : $"{bytes} B";
}
