using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MarketWatch.Web.Infrastructure.Email;

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> mail)
    {
        mail.ToTable("email_messages");
        mail.Property(m => m.To).HasMaxLength(256);
        mail.Property(m => m.Subject).HasMaxLength(300);
        mail.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        mail.HasIndex(m => m.CreatedAt);
        mail.HasIndex(m => m.To);
    }
}
