using DiMml.Torch.Data;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Correct predictions of a batch counted by example weight (a row of weight w counts w times).</summary>
internal static class Accuracy
{
    /// <summary>The weight of the rows of <paramref name="batch"/> that <paramref name="scores"/> (logits or probabilities) get
    /// right.</summary>
    public static double Hits(Tensor scores, Batch batch)
    {
        using var scope = NewDisposeScope();
        var hits = scores.argmax(1).eq(batch.Labels);
        return batch.Weights is { } w ? hits.to(ScalarType.Float64).mul(w).sum().item<double>() : hits.sum().item<long>();
    }

    /// <summary>The total weight of <paramref name="batch"/>'s rows.</summary>
    public static double Weight(Batch batch) => batch.Weights is { } w ? w.sum().item<float>() : batch.Labels.shape[0];
}
