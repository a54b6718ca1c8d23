using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Seeded row order per epoch. The permutation of epoch e depends only on (seed, e), so a resumed run or a
/// streaming reader can reproduce any epoch's order without replaying earlier ones.
/// </summary>
public static class BatchOrder
{
    /// <summary>The row permutation <c>[n]</c> (int64, CPU) for <paramref name="epoch"/>.</summary>
    /// <param name="rowCount">Number of rows n.</param>
    /// <param name="seed">Training seed.</param>
    /// <param name="epoch">0-based epoch (stage-specific streams use distinct offsets).</param>
    public static Tensor Permutation(long rowCount, long seed, int epoch)
    {
        using var generator = new Generator(Mix(seed, epoch));
        return randperm(rowCount, generator: generator);
    }

    /// <summary>Storage order <c>0..n-1</c> (int64, CPU), for passes that need every row once in order.</summary>
    /// <param name="rowCount">Number of rows n.</param>
    public static Tensor Sequential(long rowCount) => ScalarMath.Range(rowCount);

    /// <summary>
    /// Enumerates <paramref name="batches"/> so that each batch is created inside its own dispose scope, which is
    /// disposed when the next batch is requested: no tensor of a step outlives the step.
    /// </summary>
    /// <param name="batches">Batches from an <see cref="IBatchSource"/>.</param>
    /// <param name="body">Work on one batch; what it returns must not hold batch tensors.</param>
    public static void ForEachScoped(IEnumerable<Batch> batches, Action<Batch> body)
    {
        using var enumerator = batches.GetEnumerator();
        while (true)
        {
            using var scope = NewDisposeScope();
            if (!enumerator.MoveNext())
            {
                return;
            }

            body(enumerator.Current);
        }
    }

    // SplitMix64 finaliser: nearby (seed, epoch) pairs give unrelated generator seeds.
    internal static ulong Mix(long seed, int epoch)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
