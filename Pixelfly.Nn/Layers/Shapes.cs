using Pixelfly.Ir;

namespace Pixelfly.Nn.Layers;

/// <summary>Input checks shared by the layers: a clear error naming the layer when x does not fit.</summary>
internal static class Shapes
{
    public static void RequireFeatures(Value x, int features, string layer)
    {
        if (x.Shape.Rank < 1 || x.Shape[-1] != features)
            throw new ArgumentException($"{layer} expects inputs [..., {features}], got {x.Type}");
    }
}
