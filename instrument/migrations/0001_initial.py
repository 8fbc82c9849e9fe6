# The instrument's models moved here from the survey app. Their tables stay where they are
# (db_table), so this only tells Django's state about them: nothing is created or copied. On a
# fresh database survey's migrations create the tables (and 0003 loads the instrument) first.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('survey', '0004_answer_tallies'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Instrument',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('slug', models.SlugField(max_length=80)),
                    ('version', models.PositiveIntegerField()),
                    ('name_nl', models.CharField(max_length=200, verbose_name='name (Dutch)')),
                    ('name_en', models.CharField(blank=True, max_length=200, verbose_name='name (English)')),
                    ('stem_nl', models.CharField(help_text="Opening of every statement; {city} is replaced by the session's city.", max_length=300, verbose_name='statement stem (Dutch)')),
                    ('stem_en', models.CharField(blank=True, max_length=300, verbose_name='statement stem (English)')),
                    ('scale_nl', models.JSONField(blank=True, default=list, verbose_name='labels of 1..5 (Dutch)')),
                    ('scale_en', models.JSONField(blank=True, default=list, verbose_name='labels of 1..5 (English)')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                ],
                options={
                    'db_table': 'survey_instrument',
                    'ordering': ['slug', '-version'],
                    'constraints': [models.UniqueConstraint(fields=('slug', 'version'), name='instrument_slug_version_unique')],
                },
            ),
            migrations.CreateModel(
                name='Element',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('order', models.PositiveSmallIntegerField()),
                    ('key', models.SlugField(max_length=40)),
                    ('name_nl', models.CharField(max_length=120)),
                    ('name_en', models.CharField(blank=True, max_length=120)),
                    ('capital_nl', models.CharField(blank=True, max_length=120, verbose_name='capital form (Dutch)')),
                    ('capital_en', models.CharField(blank=True, max_length=120, verbose_name='capital form (English)')),
                    ('core_question_nl', models.TextField()),
                    ('core_question_en', models.TextField(blank=True)),
                    ('discussion_questions_nl', models.JSONField(blank=True, default=list)),
                    ('discussion_questions_en', models.JSONField(blank=True, default=list)),
                    ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='elements', to='instrument.instrument')),
                ],
                options={
                    'db_table': 'survey_element',
                    'ordering': ['instrument', 'order'],
                },
            ),
            migrations.CreateModel(
                name='Statement',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('order', models.PositiveSmallIntegerField()),
                    ('key', models.SlugField(max_length=40)),
                    ('text_nl', models.TextField(help_text='The statement after the stem.')),
                    ('text_en', models.TextField(blank=True)),
                    ('label_nl', models.CharField(max_length=120)),
                    ('label_en', models.CharField(blank=True, max_length=120)),
                    ('element', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='instrument.element')),
                ],
                options={
                    'db_table': 'survey_statement',
                    'ordering': ['element__order', 'order'],
                },
            ),
            migrations.AddConstraint(
                model_name='element',
                constraint=models.UniqueConstraint(fields=('instrument', 'order'), name='element_order_unique'),
            ),
            migrations.AddConstraint(
                model_name='element',
                constraint=models.UniqueConstraint(fields=('instrument', 'key'), name='element_key_unique'),
            ),
            migrations.AddConstraint(
                model_name='statement',
                constraint=models.UniqueConstraint(fields=('element', 'order'), name='statement_order_unique'),
            ),
            migrations.AddConstraint(
                model_name='statement',
                constraint=models.UniqueConstraint(fields=('element', 'key'), name='statement_key_unique'),
            ),
            ],
            database_operations=[],
        ),
    ]
