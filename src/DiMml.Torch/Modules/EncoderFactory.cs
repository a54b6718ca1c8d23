namespace DiMml.Torch.Modules;

/// <summary>Builds the encoder a <see cref="ModalityOptions"/> describes.</summary>
internal static class EncoderFactory
{
    /// <summary>Creates the encoder of <paramref name="modality"/>.</summary>
    /// <param name="modality">The modality's settings; validated here.</param>
    /// <param name="inputSize">Flat input length of the modality.</param>
    /// <param name="embeddingSize">Feature size D.</param>
    public static ModalityEncoder CreateEncoder(this ModalityOptions modality, int inputSize, int embeddingSize)
    {
        modality.Validate();
        modality.ValidateSize(inputSize);
        return modality.Encoder switch
        {
            EncoderKind.ResNet18 => new ResNet18Encoder(modality.Shape!, embeddingSize, $"encoder_{modality.Name}",
                modality.Normalization),
            _ => new MlpEncoder(inputSize, modality.HiddenSizes, embeddingSize, $"encoder_{modality.Name}"),
        };
    }
}
