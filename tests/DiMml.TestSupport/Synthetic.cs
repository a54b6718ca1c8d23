using DiMml.Torch.Data;

namespace DiMml.TestSupport;

/// <summary>Small seeded problems for tests: Gaussian class clusters, one cluster centre per class and modality.</summary>
public static class Synthetic
{
    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="modalities"/> modalities with <paramref name="features"/> features each.
    /// Every modality alone separates the classes (centres at distance ~<paramref name="separation"/>, unit noise).
    /// <paramref name="seed"/> fixes the problem (the cluster centres); <paramref name="sample"/> the rows drawn from it,
    /// so a test split is the same problem with other rows.
    /// </summary>
    public static MultimodalDataset Clusters(int rows, int modalities, int features, int classes, double separation, int seed,
        int sample = 0)
    {
        var centreRandom = new Random(seed);
        var centres = Enumerable.Range(0, modalities)
            .Select(_ =>
                Enumerable.Range(0, classes)
                    .Select(_ =>
                        Enumerable.Range(0, features).Select(_ => Gaussian(centreRandom) * separation / Math.Sqrt(features)).ToArray())
                            .ToArray())
            .ToArray();
        var random = new Random(SeedOf(seed, sample, 0));
        var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        var data = Enumerable.Range(0, modalities).Select(m =>
        {
            var values = new float[rows * features];
            for (var i = 0; i < rows; i++)
            {
                for (var d = 0; d < features; d++)
                {
                    values[i * features + d] = (float)(centres[m][labels[i]][d] + Gaussian(random));
                }
            }

            return values;
        }).ToArray();
        return MultimodalDataset.FromArrays(data, Enumerable.Repeat(features, modalities).ToArray(), labels, classes);
    }

    /// <summary>A seed from several integers that is the same in every process (unlike <see cref="HashCode.Combine{T1, T2}"/>,
    /// which is randomised per process).</summary>
    public static int SeedOf(int a, int b, int c) => unchecked((a * 1_000_003) ^ (b * 7_919) ^ (c * 104_729));

    public static float[] RandomArray(Random random, int length, double scale = 1.0) =>
        Enumerable.Range(0, length).Select(_ => (float)(Gaussian(random) * scale)).ToArray();

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
