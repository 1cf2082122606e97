namespace Pixelfly.Backends.Vulkan.Lowering;

/// <summary>Group counts for 1-D work that may exceed the per-dimension group-count limit.</summary>
internal static class Grid
{
    /// <summary>
    /// Groups covering <paramref name="items"/> items at <paramref name="perGroup"/> items a group, folded into
    /// (x, y) when x would exceed the device limit. A shader recovers its linear group as
    /// <c>gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x</c> and must check the item bound.
    /// </summary>
    public static (uint X, uint Y, uint Z) For(long items, uint perGroup, LoweringLimits limits)
    {
        long groups = Math.Max(1, (items + perGroup - 1) / perGroup);
        long maxX = limits.MaxGroupCount[0];
        if (groups <= maxX) return ((uint)groups, 1, 1);
        long y = (groups + maxX - 1) / maxX;
        if (y > limits.MaxGroupCount[1])
            throw new NotSupportedException($"{items} items need {groups} workgroups, more than this device can dispatch ({maxX} x {limits.MaxGroupCount[1]})");
        return ((uint)maxX, (uint)y, 1);
    }
}
