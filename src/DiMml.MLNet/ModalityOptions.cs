using DiMml.Torch.Data;
using DiMml.Torch.Modules;

namespace DiMml.MLNet;

/// <summary>One modality: the input column that holds it and the encoder that reads it.</summary>
public sealed class ModalityOptions
{
    /// <summary>Name of the modality, used in output columns (<c>Score.{Name}</c>), logs and diagnostics. Defaults to <see cref="ColumnName"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Input column: a known-size vector of <see cref="float"/> (e.g. from Concatenate or ExtractPixels). Required.</summary>
    public string ColumnName { get; set; } = "";

    /// <summary>Encoder architecture. Default <see cref="EncoderKind.Mlp"/>.</summary>
    public EncoderKind Encoder { get; set; } = EncoderKind.Mlp;

    /// <summary>Hidden layer widths of the MLP encoder. Default: one layer of 256.</summary>
    public int[] HiddenSizes { get; set; } = [256];

    /// <summary>Planes per frame (1 spectrogram or grey image, 2 optical flow x/y, 3 RGB). Default 1.</summary>
    public int Channels { get; set; } = 1;

    /// <summary>Frames per sample; each frame goes through the same network and the features are averaged. Default 1.</summary>
    public int Frames { get; set; } = 1;

    /// <summary>Rows per plane. Required for ResNet-18 and augmentation (0 = not declared).</summary>
    public int Height { get; set; }

    /// <summary>Columns per plane. Required for ResNet-18 and augmentation (0 = not declared).</summary>
    public int Width { get; set; }

    /// <summary>Training-time augmentation (needs Height and Width). Default <see cref="Augmentation.None"/>;
    /// <see cref="Augmentation.Paper"/> is the DI-MML authors' recipe for images and frames (random resized crop and flip,
    /// drawn per frame), <see cref="Augmentation.PadCrop"/> a pad-and-crop. No flip for spectrograms: it reverses time.</summary>
    public Augmentation Augmentation { get; set; } = Augmentation.None;

    /// <summary>Per-channel standardisation applied by the ResNet-18 encoder, in training and in the saved model, after
    /// augmentation. Default null (none); <see cref="ChannelNormalization.ImageNet"/> is the authors' choice for RGB
    /// frames scaled to [0, 1].</summary>
    public ChannelNormalization? Normalization { get; set; }

    /// <summary>The name used for this modality: <see cref="Name"/>, or the column name when no name is set.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? ColumnName : Name;
}
