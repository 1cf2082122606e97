using Pixelfly.Ir;
using Pixelfly.Ir.Ops;

namespace Pixelfly.Devices.Planning;

/// <summary>
/// Plans where every value lives on a device, by liveness over the topological node order (the GPU backends share it;
/// <see cref="ArenaSizing"/> carries what differs):
/// <list type="bullet">
/// <item>A reshape whose result is not a graph output aliases its input (no kernel, shared storage: row-major storage
/// of the same elements is the same).</item>
/// <item>Inputs and parameters in a native dtype are read straight from their bound tensors; others are imported into
/// an arena slot first. Nodes never write a bound tensor, so a donated input stays intact until the exports.</item>
/// <item>Node results get arena slots: at each node its outputs are placed first (a node never writes over its own
/// inputs), then values whose last reader was this node free their slot. A free slot is reused best-fit
/// (<see cref="BestFitSlotAllocator"/>).</item>
/// <item>A native node result that is a graph output donating nothing is written straight into the bound output tensor
/// (no slot, no copy). Non-donating outputs are never bound to input tensors (<see cref="BindingCheck"/>), so this
/// aliases nothing.</item>
/// <item>Other outputs are filled after the last node (see <see cref="LivenessMemoryPlan"/> for the order that keeps
/// donations correct); a pass-through into a donated tensor goes through a snapshot slot.</item>
/// </list>
/// </summary>
public static class LivenessMemoryPlanner
{
    private const int End = int.MaxValue;

    /// <summary>Plans <paramref name="graph"/>'s storage.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="bindingSlot">Binding slot of each input/parameter by name (the runtime's numbering).</param>
    /// <param name="outputSlot">Binding slot of each graph output's tensor, in output order.</param>
    /// <param name="sizing">The backend's slot sizes and native dtypes.</param>
    public static LivenessMemoryPlan Plan(Graph graph, IReadOnlyDictionary<string, int> bindingSlot, IReadOnlyList<int> outputSlot, ArenaSizing sizing)
    {
        int valueCount = graph.Values.Count;
        var values = graph.Values;
        var outputValues = graph.Outputs.Select(o => o.Value).ToHashSet();

        var root = Enumerable.Range(0, valueCount).ToArray();
        var aliasedNodes = new bool[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Op is not ReshapeOp || outputValues.Contains(node.Outputs[0])) continue;
            root[node.Outputs[0]] = root[node.Inputs[0]];
            aliasedNodes[node.Index] = true;
        }

        var lastUse = new int[valueCount];
        for (int v = 0; v < valueCount; v++) lastUse[v] = values[v].Kind == ValueKind.Node ? values[v].Producer : -1;
        foreach (var node in graph.Nodes)
            foreach (int input in node.Inputs)
                lastUse[root[input]] = Math.Max(lastUse[root[input]], node.Index);
        // Outputs are read by the exports after the last node.
        foreach (int v in outputValues) lastUse[root[v]] = End;

        // The first non-donating output naming a native (non-aliased) node result gets it written in place.
        var claimedBy = new Dictionary<int, int>();
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            int v = graph.Outputs[o].Value;
            if (values[v].Kind == ValueKind.Node && root[v] == v && graph.Outputs[o].Donates is null && sizing.IsNative(values[v].Type.DType))
                claimedBy.TryAdd(v, o);
        }

        var storage = new ValueStorage[valueCount];
        var arena = new BestFitSlotAllocator();
        var releaseAt = new Dictionary<int, List<int>>();
        var slotOf = new Dictionary<int, int>();
        var imports = new List<int>();
        var constants = new List<int>();
        int arenaValues = 0;

        void Place(int v, int time)
        {
            slotOf[v] = arena.Acquire(sizing.SlotSize(values[v].Type));
            arenaValues++;
            // An unread result dies right after its node (but not before the node wrote it).
            int until = Math.Max(lastUse[v], time);
            if (until == End) return;
            if (!releaseAt.TryGetValue(until, out var list)) releaseAt[until] = list = [];
            list.Add(v);
        }
        void Release(int time)
        {
            if (!releaseAt.TryGetValue(time, out var list)) return;
            foreach (int v in list) arena.Release(slotOf[v]);
        }

        foreach (var v in values)
        {
            switch (v.Kind)
            {
                case ValueKind.Constant:
                    storage[v.Id] = new ValueStorage(StorageKind.Constant, constants.Count, -1);
                    constants.Add(v.Id);
                    break;
                case ValueKind.Input or ValueKind.Parameter:
                    int binding = bindingSlot[v.Name];
                    if (sizing.IsNative(v.Type.DType))
                    {
                        storage[v.Id] = new ValueStorage(StorageKind.Bound, -1, binding);
                    }
                    else
                    {
                        Place(v.Id, -1);
                        storage[v.Id] = new ValueStorage(StorageKind.Import, slotOf[v.Id], binding);
                        imports.Add(v.Id);
                    }
                    break;
            }
        }
        Release(-1);
        foreach (var node in graph.Nodes)
        {
            foreach (int v in node.Outputs)
            {
                if (root[v] != v) continue;
                if (claimedBy.TryGetValue(v, out int claim))
                {
                    storage[v] = new ValueStorage(StorageKind.Output, -1, outputSlot[claim]);
                    continue;
                }
                Place(v, node.Index);
                storage[v] = new ValueStorage(StorageKind.Arena, slotOf[v], -1);
            }
            Release(node.Index);
        }
        for (int v = 0; v < valueCount; v++)
            if (root[v] != v) storage[v] = storage[root[v]];

        var exports = PlanExports(graph, root, claimedBy, arena, sizing);
        var capacities = arena.Capacities;
        var offsets = new long[capacities.Length];
        for (int s = 1; s < capacities.Length; s++) offsets[s] = offsets[s - 1] + capacities[s - 1];
        return new LivenessMemoryPlan
        {
            Storage = storage,
            Root = root,
            AliasedNodes = aliasedNodes,
            Imports = imports.ToArray(),
            Exports = exports,
            ArenaSlotSizes = capacities,
            ArenaSlotOffsets = offsets,
            Constants = constants.ToArray(),
            ArenaValues = arenaValues,
            SlotReuses = arena.Reuses,
        };
    }

    private static OutputExport[] PlanExports(Graph graph, int[] root, Dictionary<int, int> claimedBy, BestFitSlotAllocator arena, ArenaSizing sizing)
    {
        var values = graph.Values;
        var exports = new OutputExport[graph.Outputs.Count];
        for (int o = 0; o < graph.Outputs.Count; o++)
        {
            var output = graph.Outputs[o];
            int v = output.Value;
            var source = values[root[v]];
            bool fromInput = source.Kind is ValueKind.Input or ValueKind.Parameter;
            ExportKind kind;
            int snapshot = -1;
            if (claimedBy.TryGetValue(v, out int claim) && claim == o) kind = ExportKind.None;
            else if (fromInput && output.Donates == source.Name) kind = ExportKind.None;
            else if (fromInput && output.Donates is null) kind = ExportKind.CopyFromInput;
            else if (fromInput)
            {
                kind = ExportKind.CopyThroughSnapshot;
                snapshot = arena.Acquire(sizing.SnapshotSize(source.Type));
            }
            else kind = sizing.IsNative(values[v].Type.DType) ? ExportKind.CopyValue : ExportKind.Pack;
            exports[o] = new OutputExport(v, o, kind, snapshot);
        }
        return exports;
    }
}
