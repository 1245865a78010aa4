using System.Globalization;
using System.Text;
using CsvHelper;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Csv;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>
/// What a column of a broker statement holds. The names are <see cref="TransactionInput"/>'s properties, so a field
/// error from the transaction service points back at the column it came from.
/// </summary>
public enum StatementField
{
    Ignore,
    Date,
    Time,
    Type,
    Ticker,
    Quantity,
    Price,
    Amount,
    Fees,
    Taxes,
    Ratio,
    Note,
}

/// <summary>One data row of a statement: its line in the file (as an editor counts) and its values, one per column.</summary>
public sealed record StatementLine(int Line, IReadOnlyList<string> Values);

/// <summary>
/// A statement file read into a header and rows. A file separated by semicolons (what French Excel writes) is read
/// with decimal commas.
/// </summary>
public sealed record StatementTable(char Separator, IReadOnlyList<string> Headers, IReadOnlyList<StatementLine> Lines)
{
    public bool DecimalComma => Separator == ';';
}

/// <summary>A statement read, or why not (with the line it concerns: 1 for the whole file).</summary>
public sealed record StatementRead(StatementTable? Table, int Line = 1, Text? Error = null);

/// <summary>One problem of one row: the row's line in the file, the column as the file names it (none for the row as a whole) and what is wrong.</summary>
public sealed record StatementError(int Line, string? Column, Text Message);

/// <summary>A mapping that cannot be used: a message about one field (worded with the field's own name).</summary>
public sealed record MappingError(string Key, StatementField Field)
{
    public string In(Microsoft.Extensions.Localization.IStringLocalizer L) => L[Key, L[Statement.FieldName(Field)].Value].Value;

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, Key, Statement.FieldName(Field));
}

/// <summary>A row turned into a transaction, with its line in the file.</summary>
public sealed record StatementRow(int Line, TransactionInput Input);

/// <summary>Rows parsed with a column mapping: the transactions, and every row problem (all or nothing: one is enough to import none).</summary>
public sealed record StatementParse(IReadOnlyList<StatementRow> Rows, IReadOnlyList<StatementError> Errors);

/// <summary>
/// Broker statements as CSV, pure (no database, no clock): decoding, the separator, the header's columns guessed as
/// transaction fields in English, French (and Arabic), transaction-type words, and rows parsed into
/// <see cref="TransactionInput"/>s with an error per bad value. The import page and the tests run the same code.
/// </summary>
public static class Statement
{
    /// <summary>
    /// The text of an uploaded file: a byte order mark is honoured; otherwise UTF-8 when the bytes are valid UTF-8, and
    /// else Windows-1252 (what Excel on a French Windows saves "CSV (séparateur : point-virgule)" in).
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Encoding.UTF8.GetString(bytes[3..]);
        }
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetString(bytes);
        }
    }

    /// <summary>
    /// The separator of the header line: a semicolon when it has more semicolons than commas outside quotes, else a comma
    /// (a comma file's amounts cannot carry decimal commas unquoted, a semicolon file's can).
    /// </summary>
    public static char Separator(string headerLine)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        foreach (var c in headerLine)
        {
            switch (c)
            {
                case '"':
                    quoted = !quoted;
                    break;
                case ',' when !quoted:
                    commas++;
                    break;
                case ';' when !quoted:
                    semicolons++;
                    break;
            }
        }
        return semicolons > commas ? ';' : ',';
    }

    /// <summary>Reads <paramref name="text"/> into a table, refusing an empty file, an unclosed quote or more rows than <paramref name="limits"/> allow.</summary>
    public static StatementRead Read(string text, CsvLimits limits)
    {
        // Excel's "sep=;" first line names the separator; it is not a row.
        var skipped = 0;
        var firstBreak = text.IndexOf('\n');
        var first = (firstBreak < 0 ? text : text[..firstBreak]).TrimEnd('\r').Trim();
        char? named = null;
        if (first.Length == 5 && first.StartsWith("sep=", StringComparison.OrdinalIgnoreCase) && first[4] is ',' or ';')
        {
            named = first[4];
            text = firstBreak < 0 ? "" : text[(firstBreak + 1)..];
            skipped = 1;
        }
        var headerLine = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        if (headerLine.Length == 0)
        {
            return new StatementRead(null, 1, new Text("The file is empty."));
        }
        var separator = named ?? Separator(headerLine);
        int? unclosed = null;
        using var reader = new StringReader(text);
        using var csv = CsvReader.Create(reader, CsvReaderOptions.Default with
        {
            Separator = separator,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            TrimInsideQuotes = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = record =>
            {
                if (record.Reason == CsvMalformedReason.UnterminatedQuote)
                {
                    unclosed ??= (int)record.LineNumber;
                }
            },
        }, leaveOpen: true);
        csv.ReadHeader();
        if (unclosed is { } headerUnclosed)
        {
            return new StatementRead(null, headerUnclosed + skipped, new Text("A quoted field is not closed."));
        }
        var headers = csv.Headers.Select(h => h.Trim()).ToList();
        var lines = new List<StatementLine>();
        while (csv.Read())
        {
            var line = (int)csv.LineNumber + skipped;
            if (unclosed is { } at)
            {
                return new StatementRead(null, at + skipped, new Text("A quoted field is not closed."));
            }
            var values = new string[csv.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = csv.GetString(i) ?? "";
            }
            if (values.All(v => v.Length == 0))
            {
                continue;
            }
            if (limits.TooManyRows(lines.Count + 1) is { } tooMany)
            {
                return new StatementRead(null, line, tooMany);
            }
            lines.Add(new StatementLine(line, values));
        }
        if (lines.Count == 0)
        {
            return new StatementRead(null, 1, new Text("The file has a header but no rows."));
        }
        return new StatementRead(new StatementTable(separator, headers, lines));
    }

    // Header names as the guess compares them: folded (lower case, no accents) and only letters and digits.
    private static readonly Dictionary<string, StatementField> HeaderWords = Words(new Dictionary<StatementField, string[]>
    {
        [StatementField.Date] = ["date", "date d'opération", "date opération", "date de l'opération", "date d'exécution", "date exécution",
            "trade date", "transaction date", "date de négociation", "jour", "التاريخ", "تاريخ"],
        [StatementField.Time] = ["time", "heure", "heure d'exécution", "trade time", "الوقت", "الساعة"],
        [StatementField.Type] = ["type", "sens", "opération", "operation", "type d'opération", "type opération", "nature", "nature de l'opération",
            "transaction", "transaction type", "action", "side", "mouvement", "النوع", "العملية", "نوع العملية"],
        [StatementField.Ticker] = ["ticker", "symbol", "symbole", "valeur", "titre", "code", "code valeur", "isin", "code isin", "ticker/isin",
            "instrument", "security", "stock", "mnémonique", "mnemo", "libellé valeur", "الرمز", "السهم", "القيمة"],
        [StatementField.Quantity] = ["quantity", "quantité", "qty", "qté", "nombre", "nombre de titres", "nb titres", "shares", "units", "الكمية", "العدد"],
        [StatementField.Price] = ["price", "prix", "cours", "cours d'exécution", "cours exécuté", "prix unitaire", "unit price", "prix d'exécution",
            "السعر", "الثمن"],
        [StatementField.Amount] = ["amount", "montant", "montant brut", "montant net", "total", "gross amount", "net amount", "المبلغ", "القيمة الإجمالية"],
        [StatementField.Fees] = ["fees", "fee", "frais", "commission", "commissions", "courtage", "frais de courtage", "brokerage", "charges",
            "الرسوم", "العمولة"],
        [StatementField.Taxes] = ["taxes", "tax", "impôts", "impôt", "impots", "retenue", "retenue à la source", "withholding", "withholding tax",
            "الضرائب", "الضريبة"],
        [StatementField.Ratio] = ["ratio", "parité", "parity", "rapport", "النسبة"],
        [StatementField.Note] = ["note", "notes", "comment", "commentaire", "libellé", "description", "memo", "remarque", "ملاحظة", "ملاحظات"],
    });

    // Transaction types in the words statements use; a cell that is none of them is searched for these stems in order.
    private static readonly Dictionary<string, TransactionType> TypeWords = Words(new Dictionary<TransactionType, string[]>
    {
        [TransactionType.Buy] = ["buy", "bought", "purchase", "achat", "achats", "acheter", "a", "شراء"],
        [TransactionType.Sell] = ["sell", "sold", "sale", "vente", "ventes", "vendre", "v", "بيع"],
        [TransactionType.Dividend] = ["dividend", "dividends", "dividende", "dividendes", "div", "coupon", "توزيع", "أرباح", "ارباح", "توزيع أرباح"],
        [TransactionType.Deposit] = ["deposit", "dépôt", "depot", "versement", "apport", "cash in", "إيداع", "ايداع"],
        [TransactionType.Withdrawal] = ["withdrawal", "withdraw", "retrait", "cash out", "سحب"],
        [TransactionType.Fee] = ["fee", "fees", "frais", "commission", "droits de garde", "custody", "رسوم", "عمولة"],
        [TransactionType.Split] = ["split", "division", "division du nominal", "fractionnement", "تجزئة"],
        [TransactionType.Bonus] = ["bonus", "bonus shares", "attribution", "attribution gratuite", "actions gratuites", "gratuite", "أسهم مجانية", "اسهم مجانية"],
    });

    private static readonly (string Stem, TransactionType Type)[] TypeStems =
    [
        ("division", TransactionType.Split), ("split", TransactionType.Split), ("fractionnement", TransactionType.Split),
        ("attribution", TransactionType.Bonus), ("gratuit", TransactionType.Bonus), ("bonus", TransactionType.Bonus),
        ("dividend", TransactionType.Dividend), ("coupon", TransactionType.Dividend),
        ("depot", TransactionType.Deposit), ("versement", TransactionType.Deposit), ("deposit", TransactionType.Deposit),
        ("retrait", TransactionType.Withdrawal), ("withdraw", TransactionType.Withdrawal),
        ("frais", TransactionType.Fee), ("fee", TransactionType.Fee), ("droitsdegarde", TransactionType.Fee),
        ("achat", TransactionType.Buy), ("buy", TransactionType.Buy), ("vente", TransactionType.Sell), ("sell", TransactionType.Sell),
    ];

    private static Dictionary<string, T> Words<T>(Dictionary<T, string[]> words) where T : notnull =>
        words.SelectMany(kv => kv.Value.Select(w => (Key: Key(w), Value: kv.Key))).DistinctBy(x => x.Key).ToDictionary(x => x.Key, x => x.Value);

    /// <summary>A header or word as compared: folded (lower case, no accents), letters and digits only.</summary>
    public static string Key(string text) => new(Catalogue.Fold(text).Where(char.IsLetterOrDigit).ToArray());

    /// <summary>The field a header names, or <see cref="StatementField.Ignore"/>.</summary>
    public static StatementField GuessField(string header) =>
        HeaderWords.TryGetValue(Key(header), out var field) ? field : StatementField.Ignore;

    /// <summary>The mapping guessed from the header: each field for the first column that names it; the others ignored.</summary>
    public static IReadOnlyList<StatementField> Guess(IReadOnlyList<string> headers)
    {
        var taken = new HashSet<StatementField>();
        return headers.Select(h => GuessField(h) is var field && field != StatementField.Ignore && taken.Add(field) ? field : StatementField.Ignore).ToList();
    }

    /// <summary>The transaction type a statement's word means (Achat, Vente, Dividende, Dépôt, Buy, ...), or null.</summary>
    public static TransactionType? ParseType(string text)
    {
        var key = Key(text);
        if (key.Length == 0)
        {
            return null;
        }
        if (TypeWords.TryGetValue(key, out var type))
        {
            return type;
        }
        foreach (var (stem, stemType) in TypeStems)
        {
            if (key.Contains(stem, StringComparison.Ordinal))
            {
                return stemType;
            }
        }
        return null;
    }

    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy", "dd-MM-yyyy", "d-M-yyyy", "dd.MM.yyyy", "d.M.yyyy", "yyyy/MM/dd", "dd/MM/yy"];

    /// <summary>A date as statements write it: dd/MM/yyyy (also with - or .), yyyy-MM-dd; a time after it is dropped.</summary>
    public static DateOnly? ParseDate(string text)
    {
        var value = text.Trim();
        var space = value.IndexOfAny([' ', 'T']);
        if (space > 0)
        {
            value = value[..space];
        }
        return DateOnly.TryParseExact(value, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }

    private static readonly string[] TimeFormats = ["HH:mm", "H:mm", "HH:mm:ss", "H:mm:ss", "HH'h'mm"];

    public static TimeOnly? ParseTime(string text) =>
        TimeOnly.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;

    /// <summary>
    /// A number: invariant (a point), or with <paramref name="decimalComma"/> also a comma as the decimal mark (then a
    /// point between digit groups is a thousands separator when a comma follows). Spaces between digit groups (also
    /// non-breaking) and a trailing currency (MAD, DH) are allowed.
    /// </summary>
    public static decimal? ParseNumber(string text, bool decimalComma)
    {
        var value = new string(text.Where(c => !char.IsWhiteSpace(c) && c != '\u00A0' && c != '\u202F').ToArray());
        foreach (var currency in (string[])["MAD", "DHS", "DH"])
        {
            if (value.EndsWith(currency, StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^currency.Length];
                break;
            }
        }
        if (decimalComma && value.Contains(','))
        {
            value = value.Replace(".", "").Replace(',', '.');
        }
        const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        return decimal.TryParse(value, Style, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    /// <summary>A ratio: a number (2 for two-for-one, 0.1 for one new share for ten) or "new:old" / "new/old" (1:10 = 0.1).</summary>
    public static decimal? ParseRatio(string text, bool decimalComma)
    {
        var parts = text.Split([':', '/'], 2);
        if (parts.Length == 2)
        {
            return ParseNumber(parts[0], decimalComma) is { } a && ParseNumber(parts[1], decimalComma) is { } b ? Divide(a, b) : null;
        }
        return ParseNumber(text, decimalComma);
    }

    /// <summary>
    /// The largest number a cell may hold (any sign): far above what the transaction service accepts (it refuses beyond
    /// its own limits), small enough that quantity × price and the rounding of the pages stay in range.
    /// </summary>
    public const decimal MaxNumber = 10_000_000_000_000m;

    /// <summary><paramref name="a"/> / <paramref name="b"/>, or null when <paramref name="b"/> is 0 or the quotient is beyond a decimal.</summary>
    public static decimal? Divide(decimal a, decimal b)
    {
        if (b == 0)
        {
            return null;
        }
        try
        {
            return a / b;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>Problems with a mapping as a whole (before any row is read): the required fields, a field chosen twice.</summary>
    public static IReadOnlyList<MappingError> MappingErrors(IReadOnlyList<StatementField> mapping)
    {
        var errors = new List<MappingError>();
        foreach (var required in (StatementField[])[StatementField.Date, StatementField.Type])
        {
            if (!mapping.Contains(required))
            {
                errors.Add(new MappingError("No column is mapped to {0}.", required));
            }
        }
        foreach (var twice in mapping.Where(f => f != StatementField.Ignore).GroupBy(f => f).Where(g => g.Count() > 1))
        {
            errors.Add(new MappingError("{0} is mapped to more than one column.", twice.Key));
        }
        return errors;
    }

    /// <summary>The resource key naming a field in messages and the mapping's choices.</summary>
    public static string FieldName(StatementField field) => field switch
    {
        StatementField.Ticker => "Ticker or ISIN",
        StatementField.Ignore => "Ignore this column",
        _ => field.ToString(),
    };

    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    /// <summary>
    /// The rows as transactions with <paramref name="mapping"/> (one field per column). Each bad value is an error naming
    /// its line and column; the transaction service checks the rest (tickers, quantities held, dates not in the future).
    /// Amounts, fees and taxes are taken without their sign (statements write debits negative); an empty fees or taxes
    /// cell means the fee schedule's default.
    /// </summary>
    public static StatementParse Parse(StatementTable table, IReadOnlyList<StatementField> mapping)
    {
        var rows = new List<StatementRow>();
        var errors = new List<StatementError>();
        int Column(StatementField field)
        {
            for (var i = 0; i < mapping.Count; i++)
            {
                if (mapping[i] == field)
                {
                    return i;
                }
            }
            return -1;
        }
        var columns = Enum.GetValues<StatementField>().ToDictionary(f => f, Column);
        foreach (var line in table.Lines)
        {
            var before = errors.Count;
            string? Cell(StatementField field) =>
                columns[field] is var i and >= 0 && i < line.Values.Count && line.Values[i].Length > 0 ? line.Values[i] : null;
            void Error(StatementField field, Text message) =>
                errors.Add(new StatementError(line.Line, columns[field] >= 0 && columns[field] < table.Headers.Count ? table.Headers[columns[field]] : null, message));
            decimal? Number(StatementField field, bool ratio = false)
            {
                if (Cell(field) is not { } text)
                {
                    return null;
                }
                var number = ratio ? ParseRatio(text, table.DecimalComma) : ParseNumber(text, table.DecimalComma);
                if (number is null)
                {
                    Error(field, new Text("'{0}' is not a number.", text));
                }
                else if (Math.Abs(number.Value) > MaxNumber)
                {
                    Error(field, new Text("'{0}' is too large a number.", text));
                    return null;
                }
                return number;
            }
            if (mapping.Where((f, i) => f != StatementField.Ignore && i < line.Values.Count).All(f => Cell(f) is null))
            {
                continue;
            }
            for (var i = 0; i < mapping.Count && i < line.Values.Count; i++)
            {
                if (mapping[i] != StatementField.Ignore && InputRule.Refuses(line.Values[i]))
                {
                    errors.Add(new StatementError(line.Line, i < table.Headers.Count ? table.Headers[i] : null, new Text(InputRule.Message)));
                }
            }
            TransactionType? type = null;
            if (Cell(StatementField.Type) is not { } typeText)
            {
                Error(StatementField.Type, new Text("The type is missing."));
            }
            else if ((type = ParseType(typeText)) is null)
            {
                Error(StatementField.Type, new Text("'{0}' is not a transaction type (buy, sell, dividend, deposit, withdrawal, fee, split, bonus).", typeText));
            }
            DateOnly? date = null;
            if (Cell(StatementField.Date) is not { } dateText)
            {
                Error(StatementField.Date, new Text("The date is missing."));
            }
            else if ((date = ParseDate(dateText)) is null)
            {
                Error(StatementField.Date, new Text("'{0}' is not a date (DD/MM/YYYY or YYYY-MM-DD).", dateText));
            }
            TimeOnly? time = null;
            if (Cell(StatementField.Time) is { } timeText && (time = ParseTime(timeText)) is null)
            {
                Error(StatementField.Time, new Text("'{0}' is not a time (HH:MM).", timeText));
            }
            var quantity = Number(StatementField.Quantity);
            var price = Number(StatementField.Price);
            var amount = Number(StatementField.Amount);
            var fees = Number(StatementField.Fees);
            var taxes = Number(StatementField.Taxes);
            var ratio = Number(StatementField.Ratio, ratio: true);
            var note = Cell(StatementField.Note);
            if (note is { Length: > 1 } && note[0] == '\'' && FormulaStarts.Contains(note[1]))
            {
                note = note[1..];
            }
            if (type is TransactionType.Buy or TransactionType.Sell or TransactionType.Dividend)
            {
                // A statement with the amount and the quantity but no unit price (a dividend line often) gives the price.
                // A tiny quantity against a large amount would give a price beyond any number: a row error, not a crash.
                if (price is null && amount is { } total && quantity is > 0 and var q)
                {
                    if (Divide(Math.Abs(total), q) is { } unit && unit <= MaxNumber)
                    {
                        price = Math.Round(unit, 4, MidpointRounding.AwayFromZero);
                    }
                    else
                    {
                        Error(StatementField.Quantity, new Text("The amount divided by the quantity is too large a price."));
                    }
                }
                // The amount of a trade is quantity × price; a statement's own amount (often net of fees) is not kept.
                if (price is not null && quantity is not null)
                {
                    amount = null;
                }
            }
            if (errors.Count > before)
            {
                continue;
            }
            rows.Add(new StatementRow(line.Line, new TransactionInput(type, date, time, Cell(StatementField.Ticker)?.ToUpperInvariant(),
                quantity, price, amount is { } a ? Math.Abs(a) : null, fees is { } f ? Math.Abs(f) : null, taxes is { } t ? Math.Abs(t) : null,
                ratio, note)));
        }
        return new StatementParse(rows, errors);
    }
}
