using DiMml.Torch.Runtime;
using static TorchSharp.torch;

namespace DiMml.Torch.Losses;

/// <summary>
/// Per-modality effective feature dimensions and the teacher→student transfer sets used by <see cref="DucLoss"/>.
/// A dimension d of modality m is effective when classifying every training sample by the nearest class
/// prototype on d alone is right more often than the mean over m's live dimensions. Dimensions that are
/// constant over the training set (dead ReLU units) tie every prototype, so they are never effective and are
/// left out of the mean. <c>D(s→t) = E_s \ E_t</c>.
/// </summary>
public sealed class EffectiveDimensions
{
    /// <summary>Default bound on the elements of one <c>[rows, C, D]</c> distance chunk (float64: 128 MiB).</summary>
    public const long DefaultChunkElements = 1L << 24;

    private readonly float[][] scores;
    private readonly bool[][] dead;
    private readonly int[][] effective;

    /// <summary>Rebuilds the sets from stored per-dimension scores and dead-dimension flags (e.g. a checkpoint).</summary>
    /// <param name="scores">Per modality, the hit rate of every dimension.</param>
    /// <param name="dead">Per modality, whether each dimension is constant over the training set.</param>
    public EffectiveDimensions(IReadOnlyList<float[]> scores, IReadOnlyList<bool[]> dead)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(dead);
        if (scores.Count < 1 || scores.Count != dead.Count || scores.Zip(dead).Any(p => p.First.Length != p.Second.Length))
        {
            throw new ArgumentException("Scores and dead flags must have one entry per modality, of equal lengths.", nameof(scores));
        }

        this.scores = scores.Select(s => s.ToArray()).ToArray();
        this.dead = dead.Select(d => d.ToArray()).ToArray();
        effective = this.scores.Select((s, m) => SelectEffective(s, this.dead[m])).ToArray();
    }

    /// <summary>Number of modalities N.</summary>
    public int ModalityCount => scores.Length;

    /// <summary>Per-dimension hit rate <c>s_m[d]</c> of modality <paramref name="modality"/>.</summary>
    /// <param name="modality">Modality index.</param>
    public IReadOnlyList<float> Scores(int modality) => scores[modality];

    /// <summary>Whether each dimension of modality <paramref name="modality"/> is constant (dead) over the training set.</summary>
    /// <param name="modality">Modality index.</param>
    public IReadOnlyList<bool> Dead(int modality) => dead[modality];

    /// <summary>The effective set E_m, ascending dimension indices.</summary>
    /// <param name="modality">Modality index.</param>
    public IReadOnlyList<int> Effective(int modality) => effective[modality];

    /// <summary>The transfer set <c>D(s→t) = E_s \ E_t</c>, ascending.</summary>
    /// <param name="teacher">Teacher modality s.</param>
    /// <param name="student">Student modality t (≠ s).</param>
    public IReadOnlyList<int> Transfer(int teacher, int student)
    {
        if (teacher == student)
        {
            throw new ArgumentException("Teacher and student must be different modalities.", nameof(student));
        }

        var studentSet = effective[student].ToHashSet();
        return effective[teacher].Where(d => !studentSet.Contains(d)).ToArray();
    }

    /// <summary>All ordered pairs (teacher, student) with teacher ≠ student.</summary>
    public IEnumerable<(int Teacher, int Student)> OrderedPairs() =>
        from s in Enumerable.Range(0, ModalityCount)
        from t in Enumerable.Range(0, ModalityCount)
        where s != t
        select (s, t);

    /// <summary>Set sizes for logging: <c>E.{name}</c> for each modality and <c>D.{s}->{t}</c> for each ordered pair.</summary>
    /// <param name="modalityNames">Names of the modalities, in order.</param>
    public IReadOnlyDictionary<string, int> SetSizes(IReadOnlyList<string> modalityNames)
    {
        var sizes = new Dictionary<string, int>();
        for (var m = 0; m < ModalityCount; m++)
        {
            sizes[$"E.{modalityNames[m]}"] = effective[m].Length;
        }

        foreach (var (s, t) in OrderedPairs())
        {
            sizes[$"D.{modalityNames[s]}->{modalityNames[t]}"] = Transfer(s, t).Count;
        }

        return sizes;
    }

    /// <summary>
    /// Computes the sets from training features, in chunks of rows so that no more than
    /// <paramref name="chunkElements"/> distances are held at once.
    /// </summary>
    /// <param name="features">Per modality, the training features <c>[n, D]</c> (encoders in eval mode, no augmentation).</param>
    /// <param name="labels">Class indices <c>[n]</c> in <c>0..classCount-1</c>.</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="chunkElements">Upper bound on the elements of one distance chunk.</param>
    /// <param name="weights">Example weights <c>[n]</c>: weighted class means and weighted hit rates, as with duplicated rows;
    /// null when every row weighs 1.</param>
    public static EffectiveDimensions Compute(IReadOnlyList<Tensor> features, Tensor labels, int classCount,
        long chunkElements = DefaultChunkElements, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkElements);
        var results = features.Select(f => Score(f, labels, classCount, chunkElements, weights)).ToArray();
        return new EffectiveDimensions(results.Select(r => r.Scores).ToArray(), results.Select(r => r.Dead).ToArray());
    }

    private static (float[] Scores, bool[] Dead) Score(Tensor features, Tensor labels, int classCount, long chunkElements,
        Tensor? weights)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var rows = features.shape[0];
        var width = features.shape[1];
        if (labels.shape[0] != rows)
        {
            throw new ArgumentException($"Got {labels.shape[0]} labels for {rows} feature rows.", nameof(labels));
        }

        var f = features.to(ScalarType.Float64);
        var y = labels.to(ScalarType.Int64, features.device);
        var w = weights?.to(ScalarType.Float64, f.device);
        var prototypes = ClassPrototypes(f, y, classCount, w);
        var hits = zeros(width, dtype: w is null ? ScalarType.Int64 : ScalarType.Float64, device: f.device);
        var chunk = Math.Max(1, chunkElements / (classCount * width));
        for (long start = 0; start < rows; start += chunk)
        {
            using var inner = NewDisposeScope();
            var length = Math.Min(chunk, rows - start);
            var distances = (f.narrow(0, start, length).unsqueeze(1) - prototypes.unsqueeze(0)).abs_();
            var hit = distances.argmin(1).eq(y.narrow(0, start, length).unsqueeze(1));
            var counted = w is null ? hit.sum(dim: 0) : hit.to(ScalarType.Float64).mul(w.narrow(0, start, length).unsqueeze(1)).sum(dim: 0);
            ScalarMath.AddInPlace(hits, counted);
        }

        var total = w is null ? rows : w.sum().item<double>();
        var score = ScalarMath.Divide(hits.to(ScalarType.Float64), total).to(ScalarType.Float32).cpu();
        var isDead = f.amax(0).eq(f.amin(0)).cpu();
        return (score.data<float>().ToArray(), isDead.data<bool>().ToArray());
    }

    // Classes absent from the data get +inf prototypes, so they are never the nearest.
    private static Tensor ClassPrototypes(Tensor features, Tensor labels, int classCount, Tensor? weights)
    {
        using var scope = NewDisposeScope();
        using var scalars = new ScalarScope();
        var sums = zeros(classCount, features.shape[1], dtype: ScalarType.Float64, device: features.device)
            .index_add_(0, labels, weights is null ? features : features * weights.unsqueeze(1), scalars.Of(1.0));
        var counts = (weights is null ? bincount(labels, minlength: classCount) : bincount(labels, weights, classCount))
            .to(ScalarType.Float64).unsqueeze(1);
        var means = sums / counts.clamp_min(scalars.Of(1.0));
        return means.masked_fill(counts.eq(scalars.Of(0.0)), scalars.Of(double.PositiveInfinity)).MoveToOuterDisposeScope();
    }

    private static int[] SelectEffective(float[] score, bool[] isDead)
    {
        var live = Enumerable.Range(0, score.Length).Where(d => !isDead[d]).ToArray();
        if (live.Length == 0)
        {
            return [];
        }

        var threshold = live.Average(d => (double)score[d]);
        return live.Where(d => score[d] > threshold).ToArray();
    }
}
