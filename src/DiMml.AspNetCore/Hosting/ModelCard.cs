namespace DiMml;

/// <summary>What <c>GET {prefix}</c> answers: the served model's inputs, classes and fusion, and which file version it is.</summary>
/// <param name="Modalities">The modalities in input order: name, the JSON field (the model's input column) and its size.</param>
/// <param name="Files">The model's text inputs that <c>POST {prefix}/predict/files</c> takes as uploaded files (its pipeline
/// starts from WAV or image paths); empty for a model that reads vectors only.</param>
/// <param name="Classes">Class names, in the order of the probabilities.</param>
/// <param name="Branches">Branch names, in the order of the branch weights.</param>
/// <param name="Fusion">The fusion the model predicts with (null for models saved before it was recorded).</param>
/// <param name="ModelVersion">The DiMml version that trained the model.</param>
/// <param name="ServerVersion">The DiMml.AspNetCore version serving it.</param>
/// <param name="LoadedAt">When this version of the file was loaded.</param>
/// <param name="Sha256">SHA-256 of the model file, hex: which file is being served.</param>
public sealed record ModelCard(
    IReadOnlyList<ModalityCard> Modalities,
    IReadOnlyList<string> Files,
    IReadOnlyList<string> Classes,
    IReadOnlyList<string> Branches,
    string? Fusion,
    string ModelVersion,
    string ServerVersion,
    DateTimeOffset LoadedAt,
    string Sha256);

/// <summary>One modality of a <see cref="ModelCard"/>.</summary>
/// <param name="Name">The modality's name (the key of its branch in predictions).</param>
/// <param name="Field">The JSON field of a row that holds its vector (the model's input column).</param>
/// <param name="Size">The vector's length.</param>
public sealed record ModalityCard(string Name, string Field, int Size);
