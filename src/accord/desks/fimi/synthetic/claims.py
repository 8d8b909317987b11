"""The claims the cross-language groups and some lone accounts state: the cross-lingual
ground truth."""

from __future__ import annotations

# Eight made-up disinformation claims, each in every language of `vocabulary.LANGUAGES` (the
# translations say the same thing): the cross-lingual ground truth.
CLAIMS: dict[str, dict[str, str]] = {
    "nato-troops": {
        "en": (
            "NATO is secretly moving 40,000 troops to the Moldovan border this week, and the "
            "government is hiding it from the public."
        ),
        "ru": (
            "НАТО тайно перебрасывает 40 000 военных к границе Молдовы на этой неделе, а "
            "правительство скрывает это от граждан."
        ),
        "ko": (
            "나토가 이번 주 몰도바 국경으로 병력 4만 명을 비밀리에 이동시키고 있으며, 정부는 "
            "이를 국민에게 숨기고 있다."
        ),
        "de": (
            "Die NATO verlegt diese Woche heimlich 40.000 Soldaten an die moldauische "
            "Grenze, und die Regierung verschweigt es der Öffentlichkeit."
        ),
        "ja": (
            "NATOは今週、4万人の兵士をモルドバ国境へ密かに移動させており、政府はそれを国民に"
            "隠している。"
        ),
    },
    "rigged-ballots": {
        "en": (
            "Thousands of ballots were printed in advance with the winner already marked, a "
            "poll worker has revealed."
        ),
        "ru": (
            "Тысячи бюллетеней были напечатаны заранее с уже отмеченным победителем, "
            "рассказал член избирательной комиссии."
        ),
        "ko": (
            "수천 장의 투표용지가 당선자가 이미 표시된 채 미리 인쇄되었다고 한 선거 사무원이 "
            "폭로했다."
        ),
        "de": (
            "Tausende Stimmzettel wurden vorab gedruckt, auf denen der Sieger bereits "
            "angekreuzt war, wie ein Wahlhelfer enthüllt hat."
        ),
        "ja": (
            "数千枚の投票用紙が、当選者に印がついた状態で事前に印刷されていたと、選挙事務員が"
            "暴露した。"
        ),
    },
    "winter-blackouts": {
        "en": (
            "The EU will cut the electricity of private homes every evening this winter to "
            "keep the factories running."
        ),
        "ru": (
            "Этой зимой ЕС будет каждый вечер отключать электричество в частных домах, чтобы "
            "заводы продолжали работать."
        ),
        "ko": "EU는 올겨울 공장 가동을 유지하기 위해 매일 저녁 일반 가정의 전기를 끊을 것이다.",
        "de": (
            "Die EU wird diesen Winter jeden Abend den Strom in Privathaushalten abschalten, "
            "damit die Fabriken weiterlaufen."
        ),
        "ja": "EUは今冬、工場の稼働を維持するため、毎晩一般家庭の電気を止める。",
    },
    "vaccine-chips": {
        "en": (
            "The new flu vaccine contains a tracking chip that reports your location to the "
            "health ministry."
        ),
        "ru": (
            "Новая вакцина от гриппа содержит чип слежения, который передаёт ваше "
            "местоположение министерству здравоохранения."
        ),
        "ko": "새 독감 백신에는 당신의 위치를 보건부에 알리는 추적 칩이 들어 있다.",
        "de": (
            "Der neue Grippeimpfstoff enthält einen Ortungschip, der Ihren Standort an das "
            "Gesundheitsministerium meldet."
        ),
        "ja": (
            "新しいインフルエンザワクチンには、あなたの居場所を保健省に知らせる追跡チップが入"
            "っている。"
        ),
    },
    "poisoned-grain": {
        "en": (
            "Imported grain unloaded at the port was found to be poisoned, and officials "
            "ordered the test results destroyed."
        ),
        "ru": (
            "Импортное зерно, выгруженное в порту, оказалось отравленным, а чиновники "
            "приказали уничтожить результаты анализов."
        ),
        "ko": (
            "항구에 하역된 수입 곡물에서 독극물이 검출되었고, 관리들은 검사 결과를 "
            "폐기하라고 지시했다."
        ),
        "de": (
            "Im Hafen entladenes Importgetreide war vergiftet, und Beamte ordneten an, die "
            "Testergebnisse zu vernichten."
        ),
        "ja": (
            "港で荷揚げされた輸入穀物に毒が混入していたことが分かり、当局は検査結果の廃棄を命じた。"
        ),
    },
    "empty-shelves": {
        "en": (
            "Sanctions have left European supermarket shelves empty, while the shops in "
            "Moscow are fuller than ever."
        ),
        "ru": (
            "Из-за санкций полки европейских супермаркетов опустели, а магазины в Москве "
            "полны как никогда."
        ),
        "ko": (
            "제재로 유럽 슈퍼마켓의 진열대는 텅 비었지만, 모스크바의 상점들은 그 어느 때보다 "
            "물건이 가득하다."
        ),
        "de": (
            "Die Sanktionen haben die Regale europäischer Supermärkte geleert, während die "
            "Geschäfte in Moskau voller sind als je zuvor."
        ),
        "ja": (
            "制裁でヨーロッパのスーパーの棚は空になったが、モスクワの店はかつてないほど品物で"
            "あふれている。"
        ),
    },
    "secret-biolabs": {
        "en": (
            "Leaked documents prove that secret biolabs near the border are developing new "
            "viruses with Western money."
        ),
        "ru": (
            "Утёкшие документы доказывают, что секретные биолаборатории у границы "
            "разрабатывают новые вирусы на западные деньги."
        ),
        "ko": (
            "유출된 문서는 국경 근처의 비밀 생물학 연구소들이 서방의 자금으로 새로운 "
            "바이러스를 개발하고 있다는 것을 증명한다."
        ),
        "de": (
            "Geleakte Dokumente beweisen, dass geheime Biolabore nahe der Grenze mit "
            "westlichem Geld neue Viren entwickeln."
        ),
        "ja": (
            "流出した文書は、国境近くの秘密の生物研究所が西側の資金で新型ウイルスを開発してい"
            "ることを証明している。"
        ),
    },
    "mobilisation": {
        "en": (
            "The government will announce a general mobilisation of all men under 60 next "
            "Monday, a ministry source says."
        ),
        "ru": (
            "В следующий понедельник правительство объявит всеобщую мобилизацию всех мужчин "
            "младше 60 лет, сообщает источник в министерстве."
        ),
        "ko": (
            "정부가 다음 주 월요일 60세 미만의 모든 남성을 대상으로 총동원령을 발표할 "
            "것이라고 부처 관계자가 전했다."
        ),
        "de": (
            "Die Regierung wird nächsten Montag eine Generalmobilmachung aller Männer unter "
            "60 verkünden, sagt eine Quelle im Ministerium."
        ),
        "ja": (
            "政府は来週の月曜日に60歳未満のすべての男性を対象とする総動員を発表すると、省庁筋"
            "が明らかにした。"
        ),
    },
}

# The hashtag a stated claim may end with, per language.
HASHTAGS = {"en": "#WakeUp", "ru": "#правда", "ko": "#진실", "de": "#Wahrheit", "ja": "#拡散希望"}
