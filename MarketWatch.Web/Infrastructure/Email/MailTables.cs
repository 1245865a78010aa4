using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Infrastructure.Email;

/// <summary>The mail outbox table on any <see cref="DbContext"/>.</summary>
public static class MailTables
{
    extension(DbContext db)
    {
        public DbSet<EmailMessage> EmailMessages => db.Set<EmailMessage>();
    }
}
