namespace DiMml;

/// <summary>The network that encodes one modality.</summary>
public enum EncoderKind
{
    /// <summary>Multilayer perceptron over the flat vector (hidden widths from the modality's <c>HiddenSizes</c>).</summary>
    Mlp,

    /// <summary>ResNet-18 from scratch, the paper's encoder for spectrograms, frames and optical flow; needs the modality's
    /// shape (channels, frames, height, width). Its stage widths are EmbeddingSize/8 … EmbeddingSize, so EmbeddingSize
    /// must be a multiple of 8 (paper: 512).</summary>
    ResNet18,
}
