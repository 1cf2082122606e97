using System.Runtime.InteropServices;
using Pixelfly.Backends.Vulkan.Lowering;
using Pixelfly.Backends.Vulkan.Planning;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;
using Pixelfly.Tensors;

namespace Pixelfly.Backends.Vulkan.Runtime;

/// <summary>
/// A graph lowered to device work: the memory plan, the ordered steps (import dispatches, every node's dispatches,
/// output copies and packs) with the barriers they need, and the device-local regions they use (arena slots,
/// constants, tables, scratch) with constants and tables uploaded.
/// </summary>
internal sealed class VulkanProgram : IDisposable
{
    private readonly RegionPool _arena = new("the executable's arena");
    private readonly RegionPool _constants = new("the executable's constants and tables");
    private readonly RegionPool _scratch = new("the executable's scratch buffers");
    private readonly int[] _arenaRegion;
    private readonly int[] _constantRegion;
    private readonly List<int> _tableRegion = [];
    private readonly List<int> _scratchRegion = [];
    private readonly List<long> _scratchWords = [];
    private readonly Dictionary<int[], int> _tables = new(ReferenceEqualityComparer.Instance);
    private readonly List<int[]> _tableData = [];
    private readonly long[] _boundWords;

    public VulkanProgram(VulkanContext context, Transfers transfers, Pipelines pipelines, IVulkanLowering lowering, LoweringLimits limits, Graph graph, IReadOnlyList<TensorType> bindingTypes, IReadOnlyDictionary<string, int> inputSlot, int[] outputSlot)
    {
        Graph = graph;
        _boundWords = bindingTypes.Select(t => Math.Max(1L, (t.ByteCount + 3) / 4)).ToArray();
        Plan = VulkanMemoryPlanner.Plan(graph, inputSlot, outputSlot);
        _arenaRegion = Plan.ArenaSlotSizes.Select(w => _arena.Add((ulong)w * 4)).ToArray();
        _constantRegion = Plan.Constants.Select(v => _constants.Add((ulong)Math.Max(1, graph.Values[v].Type.Shape.ElementCount) * 4)).ToArray();

        var steps = new List<ProgramStep>();
        void Add(Dispatch d, int node, IReadOnlySet<int> writes) => steps.Add(Resolve(context, pipelines, lowering, d, node, writes));
        foreach (int v in Plan.Imports)
        {
            var info = graph.Values[v];
            int slot = Plan.Storage[v].BindingSlot;
            long count = info.Type.Shape.ElementCount;
            if (count == 0) continue;
            var d = lowering.Import(new BufferArg(BufferArgKind.Bound, slot, (count + 1) / 2, null), BufferArg.Value(v, count), info.Type.DType, count, limits);
            Add(d with { Label = $"import '{info.Name}' ({d.Label})" }, -1, new HashSet<int> { v });
        }
        foreach (var node in graph.Nodes)
        {
            if (Plan.AliasedNodes[node.Index]) continue;
            var writes = node.Outputs.ToHashSet();
            IReadOnlyList<Dispatch> dispatches;
            try
            {
                dispatches = lowering.Lower(new LoweringContext(graph, node, limits));
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
            {
                throw new Devices.UnsupportedOpException($"node {node.Index} ({node.Op.Name}, output '{graph.Values[node.Outputs[0]].Name}') cannot be lowered for {context.Facts.Id}: {e.Message}");
            }
            foreach (var d in dispatches) Add(d with { Label = $"#{node.Index} {d.Label}" }, node.Index, writes);
        }
        // Exports: raw copies out of input tensors first, then (after a barrier) everything that writes donated tensors.
        foreach (var e in Plan.Exports)
        {
            var output = graph.Outputs[e.Output];
            var type = graph.Values[e.Value].Type;
            var from = new Place(PlaceKind.Bound, e.Kind is ExportKind.CopyFromInput or ExportKind.CopyThroughSnapshot ? Plan.Storage[Plan.Root[e.Value]].BindingSlot : -1);
            ulong bytes = (ulong)type.ByteCount;
            if (bytes == 0) continue;
            if (e.Kind == ExportKind.CopyFromInput)
                steps.Add(new CopyStep(from, new Place(PlaceKind.Bound, outputSlot[e.Output]), bytes, $"copy input '{graph.Values[Plan.Root[e.Value]].Name}' -> output '{output.Name}'"));
            else if (e.Kind == ExportKind.CopyThroughSnapshot)
                steps.Add(new CopyStep(from, new Place(PlaceKind.Arena, e.SnapshotSlot), bytes, $"snapshot input '{graph.Values[Plan.Root[e.Value]].Name}' for output '{output.Name}'"));
        }
        foreach (var e in Plan.Exports)
        {
            var output = graph.Outputs[e.Output];
            var type = graph.Values[e.Value].Type;
            long count = type.Shape.ElementCount;
            var to = new Place(PlaceKind.Bound, outputSlot[e.Output]);
            if (count == 0) continue;
            switch (e.Kind)
            {
                case ExportKind.CopyThroughSnapshot:
                    steps.Add(new CopyStep(new Place(PlaceKind.Arena, e.SnapshotSlot), to, (ulong)type.ByteCount, $"copy snapshot -> output '{output.Name}'"));
                    break;
                case ExportKind.CopyValue:
                    steps.Add(new CopyStep(ValuePlace(e.Value), to, (ulong)count * 4, $"copy {graph.Values[e.Value].Name} -> output '{output.Name}'"));
                    break;
                case ExportKind.Pack:
                    var d = lowering.Export(BufferArg.Value(e.Value, count), new BufferArg(BufferArgKind.Bound, outputSlot[e.Output], (count + 1) / 2, null), type.DType, count, limits);
                    Add(d with { Label = $"export output '{output.Name}' ({d.Label})" }, -1, new HashSet<int>());
                    break;
            }
        }
        PlaceBarriers(steps);
        Steps = steps;

        foreach (long words in _scratchWords) _scratchRegion.Add(_scratch.Add((ulong)words * 4));
        foreach (var data in _tableData) _tableRegion.Add(_constants.Add((ulong)Math.Max(1, data.Length) * 4));
        CheckRanges(context);
        try
        {
            _arena.Allocate(context);
            _constants.Allocate(context);
            _scratch.Allocate(context);
            UploadConstants(transfers, graph);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Graph Graph { get; }

    public LivenessMemoryPlan Plan { get; }

    public IReadOnlyList<ProgramStep> Steps { get; }

    public int DispatchCount => Steps.Count(s => s is DispatchStep);

    public int BarrierCount => Steps.Count(s => s.BarrierBefore);

    public ulong ArenaBytes => _arena.TotalBytes;

    public ulong ConstantBytes => _constants.TotalBytes;

    public ulong ScratchBytes => _scratch.TotalBytes;

    /// <summary>The device region of a non-bound place.</summary>
    public BufferRegion Region(Place p) => p.Kind switch
    {
        PlaceKind.Arena => _arena[_arenaRegion[p.Index]],
        PlaceKind.Constant => _constants[_constantRegion[p.Index]],
        PlaceKind.Scratch => _scratch[_scratchRegion[p.Index]],
        PlaceKind.Table => _constants[_tableRegion[p.Index]],
        _ => throw new InvalidOperationException($"{p} has no program region"),
    };

    public void Dispose()
    {
        _arena.Dispose();
        _constants.Dispose();
        _scratch.Dispose();
    }

    private Place ValuePlace(int value)
    {
        var s = Plan.Storage[value];
        return s.Kind switch
        {
            StorageKind.Bound or StorageKind.Output => new Place(PlaceKind.Bound, s.BindingSlot),
            StorageKind.Constant => new Place(PlaceKind.Constant, s.Index),
            _ => new Place(PlaceKind.Arena, s.Index),
        };
    }

    private DispatchStep Resolve(VulkanContext context, Pipelines pipelines, IVulkanLowering lowering, Dispatch d, int node, IReadOnlySet<int> outputs)
    {
        var places = new Place[d.Buffers.Length];
        var reads = new List<Place>();
        var writes = new List<Place>();
        for (int i = 0; i < d.Buffers.Length; i++)
        {
            var arg = d.Buffers[i];
            Place p;
            long capacity;
            switch (arg.Kind)
            {
                case BufferArgKind.Value:
                    if (arg.Id < 0 || arg.Id >= Graph.Values.Count) throw new InvalidOperationException($"dispatch '{d.Label}' binds value {arg.Id}, which the graph does not have");
                    p = ValuePlace(arg.Id);
                    capacity = p.Kind switch
                    {
                        PlaceKind.Bound => _boundWords[p.Index],
                        PlaceKind.Constant => Math.Max(1, Graph.Values[Plan.Constants[p.Index]].Type.Shape.ElementCount),
                        _ => Plan.ArenaSlotSizes[p.Index],
                    };
                    (outputs.Contains(arg.Id) ? writes : reads).Add(p);
                    break;
                case BufferArgKind.Scratch:
                    while (_scratchWords.Count <= arg.Id) _scratchWords.Add(1);
                    _scratchWords[arg.Id] = Math.Max(_scratchWords[arg.Id], arg.Words);
                    p = new Place(PlaceKind.Scratch, arg.Id);
                    capacity = arg.Words;
                    writes.Add(p);
                    break;
                case BufferArgKind.Table:
                    var data = arg.Data ?? throw new InvalidOperationException($"dispatch '{d.Label}' binds a table without data");
                    if (!_tables.TryGetValue(data, out int t))
                    {
                        t = _tableData.Count;
                        _tables[data] = t;
                        _tableData.Add(data);
                    }
                    p = new Place(PlaceKind.Table, t);
                    capacity = Math.Max(1, data.Length);
                    reads.Add(p);
                    break;
                case BufferArgKind.Status:
                    p = new Place(PlaceKind.Status, 0);
                    capacity = 4;
                    writes.Add(p);
                    break;
                default:
                    if (arg.Id < 0 || arg.Id >= _boundWords.Length) throw new InvalidOperationException($"dispatch '{d.Label}' binds binding slot {arg.Id}, which does not exist");
                    p = new Place(PlaceKind.Bound, arg.Id);
                    capacity = _boundWords[arg.Id];
                    // Import dispatches read a bound tensor; export dispatches write one.
                    (outputs.Count == 0 ? writes : reads).Add(p);
                    break;
            }
            if (arg.Words > capacity)
                throw new InvalidOperationException($"dispatch '{d.Label}' binds {arg.Words} words at binding {i} ({arg.Kind} {arg.Id}) but its storage holds {capacity}");
            places[i] = p;
        }
        var pipeline = pipelines.Get(lowering.Shaders, d.Shader, d.Specialization, d.Buffers.Length, d.Push.Length);
        // A binding the shader declares writable counts as written, whatever the lowering meant (a shared
        // import/export shader, say): barriers then follow what the GPU may do.
        for (int i = 0; i < places.Length; i++)
            if (i < pipeline.Writable.Length && pipeline.Writable[i] && !writes.Contains(places[i]))
                writes.Add(places[i]);
        if (d.GroupsX == 0 || d.GroupsY == 0 || d.GroupsZ == 0)
            throw new InvalidOperationException($"dispatch '{d.Label}' has an empty grid ({d.GroupsX} x {d.GroupsY} x {d.GroupsZ})");
        var max = context.Facts.MaxGroupCount;
        if (d.GroupsX > max[0] || d.GroupsY > max[1] || d.GroupsZ > max[2])
            throw new NotSupportedException($"dispatch '{d.Label}' needs {d.GroupsX} x {d.GroupsY} x {d.GroupsZ} workgroups; {context.Facts.Id} allows {max[0]} x {max[1]} x {max[2]}");
        return new DispatchStep(d, pipeline, places, node, reads.Distinct().ToArray(), writes.Distinct().ToArray());
    }

    // A barrier goes before a step that reads or writes what an earlier step wrote since the last barrier, or that
    // writes what an earlier step read (reuse of an arena slot, a scratch buffer, the status words).
    private static void PlaceBarriers(List<ProgramStep> steps)
    {
        var read = new HashSet<Place>();
        var written = new HashSet<Place>();
        foreach (var s in steps)
        {
            bool hazard = s.Reads.Any(written.Contains) || s.Writes.Any(p => written.Contains(p) || read.Contains(p));
            if (hazard)
            {
                s.BarrierBefore = true;
                read.Clear();
                written.Clear();
            }
            read.UnionWith(s.Reads);
            written.UnionWith(s.Writes);
        }
    }

    private void CheckRanges(VulkanContext context)
    {
        ulong limit = context.Facts.MaxStorageBufferRange;
        for (int s = 0; s < Plan.ArenaSlotSizes.Length; s++)
            if ((ulong)Plan.ArenaSlotSizes[s] * 4 > limit)
            {
                var holder = Graph.Values.FirstOrDefault(v => Plan.Storage[v.Id].Kind is StorageKind.Arena or StorageKind.Import && Plan.Storage[v.Id].Index == s && (ulong)v.Type.Shape.ElementCount * 4 > limit);
                throw new NotSupportedException($"value '{holder?.Name}' {holder?.Type} needs {DeviceBuffer.FormatBytes((ulong)Plan.ArenaSlotSizes[s] * 4)} of 32-bit words, more than {context.Facts.Id}'s largest storage buffer ({DeviceBuffer.FormatBytes(limit)}, maxStorageBufferRange); split the work into smaller tensors");
            }
        foreach (int v in Plan.Constants)
            if ((ulong)Graph.Values[v].Type.Shape.ElementCount * 4 > limit)
                throw new NotSupportedException($"constant '{Graph.Values[v].Name}' {Graph.Values[v].Type} exceeds {context.Facts.Id}'s largest storage buffer ({DeviceBuffer.FormatBytes(limit)})");
        for (int s = 0; s < _scratchWords.Count; s++)
            if ((ulong)_scratchWords[s] * 4 > limit)
                throw new NotSupportedException($"a dispatch asks for {DeviceBuffer.FormatBytes((ulong)_scratchWords[s] * 4)} of scratch, more than {context.Facts.Id}'s largest storage buffer ({DeviceBuffer.FormatBytes(limit)})");
    }

    private void UploadConstants(Transfers transfers, Graph graph)
    {
        {
            for (int i = 0; i < Plan.Constants.Length; i++)
            {
                var tensor = graph.Constants[Plan.Constants[i]];
                if (tensor.ElementCount == 0) continue;
                var region = _constants[_constantRegion[i]];
                transfers.Upload(Widen(tensor), region.Buffer, region.Offset);
            }
            for (int t = 0; t < _tableData.Count; t++)
            {
                if (_tableData[t].Length == 0) continue;
                var region = _constants[_tableRegion[t]];
                transfers.Upload(MemoryMarshal.AsBytes(_tableData[t].AsSpan()), region.Buffer, region.Offset);
            }
        }
    }

    /// <summary>A constant as the shaders hold it: 32-bit words, f16/bf16 widened to f32.</summary>
    private static byte[] Widen(HostTensor tensor)
    {
        switch (tensor.Type.DType)
        {
            case DType.F32 or DType.I32:
                return tensor.Data;
            case DType.F16:
            {
                var src = MemoryMarshal.Cast<byte, Half>(tensor.Data);
                var dst = new float[src.Length];
                for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
                return MemoryMarshal.AsBytes(dst.AsSpan()).ToArray();
            }
            case DType.BF16:
            {
                var src = MemoryMarshal.Cast<byte, ushort>(tensor.Data);
                var dst = new uint[src.Length];
                for (int i = 0; i < src.Length; i++) dst[i] = (uint)src[i] << 16;
                return MemoryMarshal.AsBytes(dst.AsSpan()).ToArray();
            }
            default:
                throw new Devices.UnsupportedOpException($"a {tensor.Type} constant: the vulkan backend holds f32, f16, bf16 and i32 values only");
        }
    }
}
