using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Maps the features of all modalities (each <c>[B, D]</c>, in modality order) to class logits <c>[B, C]</c>.
/// </summary>
public abstract class FusionHead : nn.Module<IReadOnlyList<Tensor>, Tensor>
{
    /// <summary>Creates a head for <paramref name="modalityCount"/> modalities and <paramref name="classCount"/> classes.</summary>
    /// <param name="name">Module name used in state-dict keys.</param>
    /// <param name="modalityCount">Number of feature tensors <see cref="nn.Module{T,TResult}.forward"/> takes.</param>
    /// <param name="classCount">Number of output logits.</param>
    protected FusionHead(string name, int modalityCount, int classCount) : base(name)
    {
        ModalityCount = modalityCount;
        ClassCount = classCount;
    }

    /// <summary>Number of modalities whose features the head takes.</summary>
    public int ModalityCount { get; }

    /// <summary>Number of classes (output logits).</summary>
    public int ClassCount { get; }

    /// <summary>Which kind of fusion this head implements.</summary>
    public abstract FusionHeadKind Kind { get; }

    /// <summary>Creates the head of the given kind.</summary>
    /// <param name="kind">The fusion kind; <see cref="FusionHeadKind.None"/> is rejected.</param>
    /// <param name="modalityCount">Number of modalities (Film and Gated need exactly 2).</param>
    /// <param name="embeddingSize">Feature size D of every modality.</param>
    /// <param name="classCount">Number of classes.</param>
    /// <exception cref="ArgumentException">The kind does not support <paramref name="modalityCount"/> modalities.</exception>
    public static FusionHead Create(FusionHeadKind kind, int modalityCount, int embeddingSize, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(modalityCount);
        if (kind is FusionHeadKind.Film or FusionHeadKind.Gated && modalityCount != 2)
        {
            throw new ArgumentException(
                $"FusionHead {kind} needs exactly 2 modalities, but {modalityCount} were given. Use Concat or Sum for {modalityCount} " +
                    $"modalities.",
                nameof(kind));
        }

        return kind switch
        {
            FusionHeadKind.Concat => new ConcatFusion(modalityCount, embeddingSize, classCount),
            FusionHeadKind.Sum => new SumFusion(modalityCount, embeddingSize, classCount),
            FusionHeadKind.Film => new FilmFusion(embeddingSize, classCount),
            FusionHeadKind.Gated => new GatedFusion(embeddingSize, classCount),
            _ => throw new ArgumentException($"FusionHead {kind} has no module; choose Concat, Sum, Film or Gated.", nameof(kind)),
        };
    }

    /// <summary>Throws when the number of feature tensors differs from <see cref="ModalityCount"/>.</summary>
    protected void CheckInputCount(IReadOnlyList<Tensor> features)
    {
        if (features.Count != ModalityCount)
        {
            throw new ArgumentException($"{GetType().Name} expects {ModalityCount} feature tensors, got {features.Count}.",
                nameof(features));
        }
    }
}
