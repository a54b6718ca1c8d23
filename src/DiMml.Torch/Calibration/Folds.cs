using DiMml.Torch.Data;
using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Calibration;

/// <summary>Seeded fold assignment of held-out rows for cross-fitting: fold sizes differ by at most one row.</summary>
internal static class Folds
{
    /// <summary>The fold of each of <paramref name="rows"/> rows <c>[n]</c> (int64), from a seeded permutation.</summary>
    public static Tensor Assign(long rows, int folds, int seed)
    {
        // The fusion suite's figures were measured with this stream; it shares its generator seed with one cross-fitted head's
        // initialisation, an unrelated use.
        using var order = BatchOrder.Permutation(rows, seed, int.MaxValue - 3);
        using var position = order.argsort();
        using var scalars = new ScalarScope();
        using var index = ScalarMath.Range(rows).remainder(scalars.Of(folds));
        return index.index_select(0, position);
    }

    /// <summary>Row indices outside fold <paramref name="fold"/> (to fit on) and inside it (to score).</summary>
    public static (Tensor Fit, Tensor Held) Split(Tensor assignment, int fold, Device device)
    {
        using var scalars = new ScalarScope();
        using var inFold = assignment.eq(scalars.Of(fold));
        return (nonzero(inFold.logical_not()).flatten().to(device), nonzero(inFold).flatten().to(device));
    }
}
