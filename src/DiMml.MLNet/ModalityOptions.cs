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

    /// <summary>The name used for this modality: <see cref="Name"/>, or the column name when no name is set.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? ColumnName : Name;
}
