using System.Collections;

namespace DiMml.Torch.Training;

/// <summary>The epoch records of a training run, in order (stage 1 then stage 2 for DI-MML).</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochRecord>
{
    private readonly List<EpochRecord> records = [];

    /// <inheritdoc />
    public int Count => records.Count;

    /// <inheritdoc />
    public EpochRecord this[int index] => records[index];

    /// <summary>The records of one stage.</summary>
    /// <param name="stage">The stage.</param>
    public IEnumerable<EpochRecord> Of(TrainingStage stage) => records.Where(r => r.Stage == stage);

    /// <inheritdoc />
    public IEnumerator<EpochRecord> GetEnumerator() => records.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(EpochRecord record) => records.Add(record);

    internal void AddRange(IEnumerable<EpochRecord> restored) => records.AddRange(restored);
}
