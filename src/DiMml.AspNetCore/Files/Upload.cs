using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace DiMml.AspNetCore.Files;

/// <summary>
/// A multipart/form-data request read into a temporary folder: each file part is saved under a generated name (the path the
/// model's featurizers read), each other part kept as text. The folder is deleted on dispose. The parts' bytes together may
/// not exceed the limit, counted while reading, so an oversize upload is refused before it is all on disk.
/// </summary>
internal sealed class Upload : IDisposable
{
    private const int MaxTextPartBytes = 1 << 20;
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("dimml-upload-");
    private readonly Dictionary<string, UploadedFile> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> texts = new(StringComparer.Ordinal);

    private readonly long limit;

    private Upload(long limit) => this.limit = limit;

    /// <summary>The file parts by field name.</summary>
    public IReadOnlyDictionary<string, UploadedFile> Files => files;

    /// <summary>The text parts by field name.</summary>
    public IReadOnlyDictionary<string, string> Texts => texts;

    /// <summary>Reads <paramref name="request"/>'s parts; <paramref name="accepts"/> says whether a field name is one the model
    /// reads (else the message lists them).</summary>
    /// <exception cref="BadRequestException">Not multipart, a field the model does not read or given twice, or over the limit.
    /// </exception>
    public static async Task<Upload> ReadAsync(HttpRequest request, long limit, Func<string, bool> accepts, string fields,
        CancellationToken cancel)
    {
        var boundary = Boundary(request);
        if (request.ContentLength > limit + (1 << 20))
        {
            throw new BadRequestException($"body: {request.ContentLength} bytes; the limit is {limit} for all parts together " +
                "(MaxUploadBytes).");
        }

        var upload = new Upload(limit);
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            var total = 0L;
            while (await reader.ReadNextSectionAsync(cancel).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    throw new BadRequestException("body: every part needs a Content-Disposition: form-data header with a name.");
                }

                if (!accepts(name))
                {
                    throw new BadRequestException($"{name}: this model reads no input '{name}'; send {fields}.");
                }

                if (upload.files.ContainsKey(name) || upload.texts.ContainsKey(name))
                {
                    throw new BadRequestException($"{name}: given twice; send each input once.");
                }

                total += await upload.AddAsync(name, disposition, section, limit - total, cancel).ConfigureAwait(false);
            }

            return upload;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // The multipart reader's own complaints: a body cut short, a part header over its limits.
            upload.Dispose();
            throw new BadRequestException($"body: not a complete multipart/form-data body ({e.Message}).");
        }
        catch
        {
            upload.Dispose();
            throw;
        }
    }

    private static string Boundary(HttpRequest request)
    {
        if (!request.HasFormContentType || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw new BadRequestException($"Content-Type: send multipart/form-data with a boundary (got '{request.ContentType}').");
        }

        return boundary;
    }

    private async Task<long> AddAsync(string name, ContentDispositionHeaderValue disposition, MultipartSection section, long left,
        CancellationToken cancel)
    {
        if (!disposition.IsFileDisposition())
        {
            using var text = new MemoryStream();
            var cap = Math.Min(left, MaxTextPartBytes);
            var length = await CopyAsync(section.Body, text, cap,
                cap < left ? $"{name}: a text part may hold at most {MaxTextPartBytes} bytes." : OverLimit(name), cancel)
                .ConfigureAwait(false);
            texts[name] = Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
            return length;
        }

        var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName)
            .Value ?? name;
        // A generated name, keeping only a plain extension: the client's name never reaches the file system.
        var extension = Path.GetExtension(fileName);
        var path = Path.Combine(folder.FullName,
            $"{files.Count}{(extension.Length <= 8 && extension.Skip(1).All(char.IsAsciiLetterOrDigit) ? extension : "")}");
        await using var file = File.Create(path);
        var bytes = await CopyAsync(section.Body, file, left, OverLimit(name), cancel).ConfigureAwait(false);
        files[name] = new UploadedFile(path, Path.GetFileName(fileName));
        return bytes;
    }

    private string OverLimit(string name) =>
        $"{name}: the upload is over the limit of {limit} bytes for all parts together (MaxUploadBytes).";

    private static async Task<long> CopyAsync(Stream from, Stream to, long left, string overMessage, CancellationToken cancel)
    {
        var buffer = new byte[81920];
        var total = 0L;
        int read;
        while ((read = await from.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > left)
            {
                throw new BadRequestException(overMessage);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
        }

        return total;
    }

    public void Dispose()
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A featurizer still holding a file open on some platform: the OS temp cleaner gets it; the answer matters more.
        }
    }
}

/// <summary>An uploaded file: where it was saved and the client's name for it.</summary>
internal sealed record UploadedFile(string Path, string ClientName);
