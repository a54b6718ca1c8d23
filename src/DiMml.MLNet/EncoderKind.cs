namespace DiMml.MLNet;

/// <summary>The network that encodes one modality.</summary>
public enum EncoderKind
{
    /// <summary>Multilayer perceptron over the flat vector (<see cref="ModalityOptions.HiddenSizes"/>).</summary>
    Mlp,

    /// <summary>ResNet-18 from scratch, the paper's encoder for spectrograms, frames and optical flow; needs the
    /// shape fields (<see cref="ModalityOptions.Channels"/>, <see cref="ModalityOptions.Frames"/>,
    /// <see cref="ModalityOptions.Height"/>, <see cref="ModalityOptions.Width"/>). Its stage widths are
    /// EmbeddingSize/8 … EmbeddingSize, so EmbeddingSize must be a multiple of 8 (paper: 512).</summary>
    ResNet18,
}
