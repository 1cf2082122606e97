namespace Pixelfly.Devices.Planning;

/// <summary>Best-fit reuse of arena slots whose capacity grows to the largest occupant.</summary>
public sealed class BestFitSlotAllocator
{
    private readonly List<long> _capacity = [];
    private readonly List<int> _free = [];

    /// <summary>Each slot's capacity (the largest occupant's need), in slot order.</summary>
    public long[] Capacities => _capacity.ToArray();

    /// <summary>How many slots exist.</summary>
    public int SlotCount => _capacity.Count;

    /// <summary>How many times a freed slot was reused.</summary>
    public int Reuses { get; private set; }

    /// <summary>
    /// A slot for <paramref name="need"/> units: the free slot that fits most tightly, else the largest free one
    /// (grown to fit), else a new one.
    /// </summary>
    public int Acquire(long need)
    {
        int best = -1;
        foreach (int s in _free)
        {
            if (best < 0) { best = s; continue; }
            bool fits = _capacity[s] >= need, bestFits = _capacity[best] >= need;
            if (fits && (!bestFits || _capacity[s] < _capacity[best])) best = s;
            else if (!fits && !bestFits && _capacity[s] > _capacity[best]) best = s;
        }
        if (best >= 0)
        {
            _free.Remove(best);
            _capacity[best] = Math.Max(_capacity[best], need);
            Reuses++;
            return best;
        }
        _capacity.Add(need);
        return _capacity.Count - 1;
    }

    /// <summary>Frees a slot for reuse (its capacity stays).</summary>
    public void Release(int slot) => _free.Add(slot);
}
