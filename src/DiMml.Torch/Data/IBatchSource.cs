using static TorchSharp.torch;

namespace DiMml.Torch.Data;

/// <summary>
/// Labelled multimodal rows that training reads batch by batch: held in memory (<see cref="MultimodalDataset"/>)
/// or streamed from storage. Every implementation yields the rows of a given order in that order, so the same
/// seed trains the same model from either.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of rows n.</summary>
    int Count { get; }

    /// <summary>Number of modalities.</summary>
    int ModalityCount { get; }

    /// <summary>Number of classes C.</summary>
    int ClassCount { get; }

    /// <summary>Whether rows carry example weights (<see cref="Batch.Weights"/>); otherwise every row weighs 1. Default false.</summary>
    bool IsWeighted => false;

    /// <summary>Flat feature length of each modality.</summary>
    IReadOnlyList<int> FeatureSizes { get; }

    /// <summary>
    /// Consecutive batches of <paramref name="batchSize"/> rows taken in <paramref name="order"/> (the last may be
    /// shorter). The tensors of a batch are created when the enumerator moves to it, so a dispose scope opened
    /// before <c>MoveNext</c> owns them.
    /// </summary>
    /// <param name="order">Row indices <c>[n]</c> (int64, CPU), e.g. <see cref="BatchOrder.Permutation"/>.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="device">Where the batch tensors go.</param>
    IEnumerable<Batch> Batches(Tensor order, int batchSize, Device device);
}
