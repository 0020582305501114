"""SQLAlchemy models of a small lending library: the desired state of its
database. load_models.py prints their DDL; atlas.hcl reads it as
data "external_schema" "sqlalchemy"."""

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, ForeignKey,
                        Identity, Index, String, Text, UniqueConstraint,
                        func, text)
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"

    id = Column(BigInteger, Identity(always=True), primary_key=True)
    name = Column(String(200), nullable=False)
    bio = Column(Text)


class Book(Base):
    __tablename__ = "books"
    __table_args__ = (UniqueConstraint("isbn", name="books_isbn_key"),)

    id = Column(BigInteger, Identity(always=True), primary_key=True)
    author_id = Column(BigInteger, ForeignKey("authors.id", ondelete="CASCADE"), nullable=False)
    title = Column(String(300), nullable=False)
    isbn = Column(String(13), nullable=False)
    available = Column(Boolean, nullable=False, server_default=text("true"))


class Loan(Base):
    __tablename__ = "loans"
    __table_args__ = (Index("loans_book_id_idx", "book_id"),)

    id = Column(BigInteger, Identity(always=True), primary_key=True)
    book_id = Column(BigInteger, ForeignKey("books.id"), nullable=False)
    borrower = Column(String(200), nullable=False)
    lent_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
