namespace DiMml.AspNetCore;

/// <summary>A request the served model cannot answer; answered with 400 and this message, which names the field at fault.</summary>
internal sealed class BadRequestException(string message) : Exception(message);
