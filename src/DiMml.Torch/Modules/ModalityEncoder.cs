using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Maps one modality's input batch to a feature batch <c>[B, EmbeddingSize]</c>.
/// Every modality of a <see cref="MultimodalNetwork"/> has its own encoder.
/// </summary>
public abstract class ModalityEncoder : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates an encoder whose parameters are registered under <paramref name="name"/>.</summary>
    /// <param name="name">Module name, as it appears in state-dict keys.</param>
    protected ModalityEncoder(string name) : base(name) { }

    /// <summary>Size D of the feature vector this encoder produces.</summary>
    public abstract int EmbeddingSize { get; }

    /// <summary>Number of input values per sample this encoder expects (the flat vector length).</summary>
    public abstract int InputSize { get; }
}
