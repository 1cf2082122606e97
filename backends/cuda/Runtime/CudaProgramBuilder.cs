using Pixelfly.Backends.Cuda.Lowering;
using Pixelfly.Backends.Cuda.Planning;
using Pixelfly.Devices.Planning;
using Pixelfly.Ir;

namespace Pixelfly.Backends.Cuda.Runtime;

/// <summary>
/// Lowers every node of a planned graph and resolves the launches' arguments to region-relative addresses:
/// values through the memory plan, scratch slots into one region shared by all nodes (each node's slots laid out
/// from offset 0; nodes run one after another), tables into the constant pool (identical tables stored once), then
/// appends the output exports as copies. Checks every launch against the device limits so that a lowering mistake
/// is an error at compile time naming the launch, not a launch failure at run time.
/// </summary>
internal static class CudaProgramBuilder
{
    private const int MaxThreadsPerBlock = 1024;
    private const uint MaxGridYZ = 65535;
    private const uint MaxGridX = int.MaxValue;

    public static CudaProgram Build(Graph graph, ICudaLowering lowering, CudaLoweringLimits limits, LivenessMemoryPlan plan, IReadOnlyList<int> outputSlot)
    {
        var pool = new ConstantPoolBuilder();
        var constantOffsets = plan.Constants.Select(v => pool.Add(graph.Constants[v].Data)).ToArray();
        var steps = new List<ProgramStep>();
        long scratchBytes = 0;

        foreach (var node in graph.Nodes)
        {
            if (plan.AliasedNodes[node.Index]) continue;
            var launches = lowering.Lower(new LoweringContext(graph, node, limits));
            var scratch = ScratchLayout(launches, out long nodeScratch);
            scratchBytes = Math.Max(scratchBytes, nodeScratch);
            foreach (var launch in launches)
            {
                Validate(launch, limits, graph, node);
                var args = launch.Args.Select(a => Resolve(a, graph, node, plan, constantOffsets, scratch, pool, launch.Label)).ToArray();
                steps.Add(new LaunchStep(launch, node.Index, args));
            }
        }
        AddExports(graph, plan, constantOffsets, outputSlot, steps);
        return new CudaProgram
        {
            Plan = plan,
            Steps = steps,
            ConstantPool = pool.Bytes(),
            ConstantOffsets = constantOffsets,
            TableCount = pool.Tables,
            ScratchBytes = scratchBytes,
        };
    }

    /// <summary>Address of a value's storage (plus a byte offset).</summary>
    public static DeviceAddress AddressOf(LivenessMemoryPlan plan, long[] constantOffsets, int value, long byteOffset = 0)
    {
        var s = plan.Storage[value];
        return s.Kind switch
        {
            StorageKind.Bound or StorageKind.Output => new DeviceAddress(Region.Bound, s.BindingSlot, byteOffset),
            StorageKind.Arena => new DeviceAddress(Region.Arena, -1, plan.ArenaSlotOffsets[s.Index] + byteOffset),
            _ => new DeviceAddress(Region.Constants, -1, constantOffsets[s.Index] + byteOffset),
        };
    }

    // Each slot of a node gets the largest size any of the node's launches asks for it, laid out in slot order.
    private static Dictionary<int, long> ScratchLayout(IReadOnlyList<KernelLaunch> launches, out long total)
    {
        var sizes = new SortedDictionary<int, long>();
        foreach (var a in launches.SelectMany(l => l.Args).Where(a => a.Kind == LaunchArgKind.Scratch))
        {
            if (a.Id < 0 || a.Bytes < 0) throw new InvalidOperationException($"scratch slot {a.Id} of {a.Bytes} bytes is invalid");
            sizes[a.Id] = Math.Max(sizes.GetValueOrDefault(a.Id), a.Bytes);
        }
        var offsets = new Dictionary<int, long>();
        total = 0;
        foreach (var (slot, bytes) in sizes)
        {
            offsets[slot] = total;
            total += CudaMemoryPlanner.Align(bytes);
        }
        return offsets;
    }

    private static ResolvedArg Resolve(LaunchArg a, Graph graph, Node node, LivenessMemoryPlan plan, long[] constantOffsets,
        Dictionary<int, long> scratch, ConstantPoolBuilder pool, string label)
    {
        switch (a.Kind)
        {
            case LaunchArgKind.Value:
                if (a.Id < 0 || a.Id >= graph.Values.Count)
                    throw new InvalidOperationException($"launch '{label}' of node {node.Index} names value {a.Id}, but the graph has {graph.Values.Count} values");
                if (a.Bytes < 0 || a.Bytes > Math.Max(0, graph.Values[a.Id].Type.ByteCount))
                    throw new InvalidOperationException($"launch '{label}' of node {node.Index} points {a.Bytes} bytes into value {graph.Values[a.Id].Name} ({graph.Values[a.Id].Type.ByteCount} bytes)");
                return new ResolvedArg(a.Kind, AddressOf(plan, constantOffsets, a.Id, a.Bytes), 0, 0);
            case LaunchArgKind.Scratch:
                return new ResolvedArg(a.Kind, new DeviceAddress(Region.Scratch, -1, scratch[a.Id]), 0, 0);
            case LaunchArgKind.Table:
                if (a.Table is null) throw new InvalidOperationException($"launch '{label}' of node {node.Index} has a table argument without data");
                return new ResolvedArg(a.Kind, new DeviceAddress(Region.Constants, -1, pool.AddTable(a.Table)), 0, 0);
            case LaunchArgKind.Status:
                return new ResolvedArg(a.Kind, new DeviceAddress(Region.Status, -1, 0), 0, 0);
            case LaunchArgKind.Int32:
            case LaunchArgKind.Int64:
                return new ResolvedArg(a.Kind, default, a.Integer, 0);
            case LaunchArgKind.Float32:
                return new ResolvedArg(a.Kind, default, 0, a.Real);
            default:
                throw new InvalidOperationException($"launch '{label}': unknown argument kind {a.Kind}");
        }
    }

    private static void Validate(KernelLaunch l, CudaLoweringLimits limits, Graph graph, Node node)
    {
        string where = $"launch '{l.Label}' ({l.Variant.Key} {l.Function}) of node {node.Index} ({node.Op.Name}, output '{graph.Values[node.Outputs[0]].Name}')";
        if (string.IsNullOrWhiteSpace(l.Function)) throw new InvalidOperationException($"{where} names no function");
        long threads = (long)l.Block.X * l.Block.Y * l.Block.Z;
        if (threads is < 1 or > MaxThreadsPerBlock)
            throw new InvalidOperationException($"{where}: block {l.Block.X}x{l.Block.Y}x{l.Block.Z} has {threads} threads, outside 1..{MaxThreadsPerBlock}");
        if (l.Grid.X is 0 or > MaxGridX || l.Grid.Y is 0 or > MaxGridYZ || l.Grid.Z is 0 or > MaxGridYZ)
            throw new InvalidOperationException($"{where}: grid {l.Grid.X}x{l.Grid.Y}x{l.Grid.Z} is outside the device's limits (x 1..{MaxGridX}, y and z 1..{MaxGridYZ})");
        if (l.DynamicSharedBytes < 0 || l.DynamicSharedBytes > limits.MaxDynamicSharedBytes)
            throw new InvalidOperationException($"{where}: {l.DynamicSharedBytes} bytes of dynamic shared memory, the device allows {limits.MaxDynamicSharedBytes}");
    }

    private static void AddExports(Graph graph, LivenessMemoryPlan plan, long[] constantOffsets, IReadOnlyList<int> outputSlot, List<ProgramStep> steps)
    {
        var reads = new List<ProgramStep>();
        var writes = new List<ProgramStep>();
        foreach (var e in plan.Exports)
        {
            var output = graph.Outputs[e.Output];
            long bytes = graph.Values[e.Value].Type.ByteCount;
            if (e.Kind == ExportKind.None || bytes == 0) continue;
            var target = new DeviceAddress(Region.Bound, outputSlot[e.Output], 0);
            int root = plan.Root[e.Value];
            switch (e.Kind)
            {
                case ExportKind.CopyFromInput:
                    reads.Add(new CopyStep(new DeviceAddress(Region.Bound, plan.Storage[root].BindingSlot, 0), target, bytes, $"output '{output.Name}' <- input '{graph.Values[root].Name}'"));
                    break;
                case ExportKind.CopyThroughSnapshot:
                    var snapshot = new DeviceAddress(Region.Arena, -1, plan.ArenaSlotOffsets[e.SnapshotSlot]);
                    reads.Add(new CopyStep(new DeviceAddress(Region.Bound, plan.Storage[root].BindingSlot, 0), snapshot, bytes, $"snapshot of input '{graph.Values[root].Name}' for output '{output.Name}'"));
                    writes.Add(new CopyStep(snapshot, target, bytes, $"output '{output.Name}' (donating '{output.Donates}') <- snapshot of '{graph.Values[root].Name}'"));
                    break;
                case ExportKind.CopyValue:
                    writes.Add(new CopyStep(AddressOf(plan, constantOffsets, e.Value), target, bytes, $"output '{output.Name}' <- {graph.Values[e.Value].Name}"));
                    break;
            }
        }
        steps.AddRange(reads);
        steps.AddRange(writes);
    }
}
